// Reading one field of a JSON configuration with its type checked: nlohmann's own conversions
// turn 1e30 into an int with undefined behaviour and 2.7 into 2 silently; here an integer field
// must hold an integer that fits, a number field a number. Errors are "<label>: <key> ...".
#pragma once
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace nfs {

template <class T>
T json_as(const nlohmann::json& v, const std::string& key, const std::string& label) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) throw std::runtime_error(label + ": " + key + " must be true or false");
    return v.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) throw std::runtime_error(label + ": " + key + " must be an integer");
    const bool fits = v.is_number_unsigned()
                          ? v.get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max())
                          : v.get<int64_t>() >= int64_t(std::numeric_limits<T>::min()) &&
                                (v.get<int64_t>() < 0 || uint64_t(v.get<int64_t>()) <= uint64_t(std::numeric_limits<T>::max()));
    if (!fits) throw std::runtime_error(label + ": " + key + " " + v.dump() + " is out of range");
    return v.is_number_unsigned() ? T(v.get<uint64_t>()) : T(v.get<int64_t>());
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!v.is_number()) throw std::runtime_error(label + ": " + key + " must be a number");
    const double d = v.get<double>();
    if (!(d >= -double(std::numeric_limits<T>::max()) && d <= double(std::numeric_limits<T>::max())))
      throw std::runtime_error(label + ": " + key + " " + v.dump() + " is out of range");
    return T(d);
  } else if constexpr (std::is_same_v<T, std::vector<int>>) {
    if (!v.is_array()) throw std::runtime_error(label + ": " + key + " must be a list of integers");
    std::vector<int> out;
    for (const nlohmann::json& e : v) out.push_back(json_as<int>(e, key, label));
    return out;
  } else {
    return v.get<T>();  // strings and string lists: nlohmann's type errors are clear
  }
}

// `key` of object `j` (which must be an object), or `fallback` when absent.
template <class T>
T json_field(const nlohmann::json& j, const std::string& key, T fallback, const std::string& label) {
  if (!j.is_object()) throw std::runtime_error(label + ": expected a JSON object around '" + key + "'");
  auto it = j.find(key);
  return it == j.end() ? fallback : json_as<T>(*it, key, label);
}

// `key` of object `j`, which must be there.
template <class T>
T json_required(const nlohmann::json& j, const std::string& key, const std::string& label) {
  if (!j.is_object() || !j.contains(key)) throw std::runtime_error(label + ": model configuration is incomplete (no '" + key + "')");
  return json_as<T>(j[key], key, label);
}

}  // namespace nfs
