// Blendshape names and weights CSV: the 53 names agree with the model asset; ICT, ARKit and Live
// Link Face spellings all land on the right ICT expressions; bad rows give messages naming the
// file, the line and the column; write -> read round trips.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>

#include "infer/blendshape_names.h"
#include "infer/weights_csv.h"
#include "train/ict_model.h"
#include "support/temp_dir.h"

using namespace nfs;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

// Hand-written kit indices of a few expressions (from the asset's metadata order).
constexpr int kBrowInnerUpL = 2, kBrowInnerUpR = 3, kCheekPuffL = 6, kCheekPuffR = 7;
constexpr int kEyeBlinkL = 10, kEyeBlinkR = 11, kJawOpen = 26, kMouthSmileR = 46;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

// Live Link Face's header (Unreal's iPhone app), as it writes it.
const char* kLiveLinkHeader =
    "Timecode,BlendShapeCount,EyeBlinkLeft,EyeLookDownLeft,EyeLookInLeft,EyeLookOutLeft,"
    "EyeLookUpLeft,EyeSquintLeft,EyeWideLeft,EyeBlinkRight,EyeLookDownRight,EyeLookInRight,"
    "EyeLookOutRight,EyeLookUpRight,EyeSquintRight,EyeWideRight,JawForward,JawRight,JawLeft,"
    "JawOpen,MouthClose,MouthFunnel,MouthPucker,MouthRight,MouthLeft,MouthSmileLeft,"
    "MouthSmileRight,MouthFrownLeft,MouthFrownRight,MouthDimpleLeft,MouthDimpleRight,"
    "MouthStretchLeft,MouthStretchRight,MouthRollLower,MouthRollUpper,MouthShrugLower,"
    "MouthShrugUpper,MouthPressLeft,MouthPressRight,MouthLowerDownLeft,MouthLowerDownRight,"
    "MouthUpperUpLeft,MouthUpperUpRight,BrowDownLeft,BrowDownRight,BrowInnerUp,BrowOuterUpLeft,"
    "BrowOuterUpRight,CheekPuff,CheekSquintLeft,CheekSquintRight,NoseSneerLeft,NoseSneerRight,"
    "TongueOut,HeadYaw,HeadPitch,HeadRoll,LeftEyeYaw,LeftEyePitch,LeftEyeRoll,RightEyeYaw,"
    "RightEyePitch,RightEyeRoll";

}  // namespace

TEST_CASE("ICT expression names equal the model asset's metadata, in kit order", "[infer][csv]") {
  const IctModel model =
      load_ict_model(NFS_SHARED_DIR "/data/ict-facekit/ict_face_model.safetensors");
  const auto& names = ict_expression_names();
  REQUIRE(model.expression_names.size() == names.size());
  for (size_t i = 0; i < names.size(); ++i) CHECK(model.expression_names[i] == names[i]);
}

TEST_CASE("blendshape name matching: ICT, ARKit and Live Link Face spellings", "[infer][csv]") {
  using V = std::vector<int>;
  CHECK(ict_indices_for_name("eyeBlink_L") == V{kEyeBlinkL});
  CHECK(ict_indices_for_name("EYEBLINK_R") == V{kEyeBlinkR});
  CHECK(ict_indices_for_name("eyeBlinkLeft") == V{kEyeBlinkL});
  CHECK(ict_indices_for_name("EyeBlinkRight") == V{kEyeBlinkR});
  CHECK(ict_indices_for_name("JawOpen") == V{kJawOpen});
  CHECK(ict_indices_for_name(" mouthSmileRight ") == V{kMouthSmileR});
  CHECK(ict_indices_for_name("browInnerUp") == V{kBrowInnerUpL, kBrowInnerUpR});
  CHECK(ict_indices_for_name("CheekPuff") == V{kCheekPuffL, kCheekPuffR});
  CHECK(ict_indices_for_name("browInnerUp_R") == V{kBrowInnerUpR});
  CHECK(ict_indices_for_name("blendShape1.eyeBlinkLeft") == V{kEyeBlinkL});
  CHECK(ict_indices_for_name("head:JawOpen") == V{kJawOpen});
  for (const char* none : {"tongueOut", "TongueOut", "Timecode", "HeadYaw", "LeftEyePitch", "",
                           "BlendShapeCount", "eyeBlink", "jawOpenLeft"})
    CHECK(ict_indices_for_name(none).empty());

  CHECK(arkit_name(kEyeBlinkL) == "eyeBlinkLeft");
  CHECK(arkit_name(kMouthSmileR) == "mouthSmileRight");
  CHECK(arkit_name(kJawOpen) == "jawOpen");
  CHECK(arkit_name(kBrowInnerUpL) == "browInnerUp");
  CHECK(arkit_name(kBrowInnerUpR) == "browInnerUp");
  CHECK(arkit_name(kCheekPuffR) == "cheekPuff");
  CHECK_THROWS_AS(arkit_name(53), std::out_of_range);

  // ARKit's 52 shapes less tongueOut; each name maps back to exactly the indices it gathers.
  const auto& cols = arkit_columns();
  CHECK(cols.size() == 51);
  int covered = 0;
  for (const auto& c : cols) {
    CHECK(ict_indices_for_name(c.name) == c.ict_indices);
    covered += int(c.ict_indices.size());
  }
  CHECK(covered == 53);
  for (int i = 0; i < kNumIctExpressions; ++i) {
    const auto back = ict_indices_for_name(ict_expression_names()[i]);
    CHECK(back == V{i});
  }
}

TEST_CASE("weights CSV in ICT naming", "[infer][csv]") {
  const WeightsTable t = parse_weights_csv(
      "eyeBlink_L,jawOpen,browInnerUp_R\n0.5,0.25,1\n\n0,1e-1,+0.75\r\n", "ict.csv");
  REQUIRE(t.num_frames == 2);
  CHECK(t.at(0, kEyeBlinkL) == 0.5f);
  CHECK(t.at(0, kJawOpen) == 0.25f);
  CHECK(t.at(0, kBrowInnerUpR) == 1.0f);
  CHECK(t.at(0, kBrowInnerUpL) == 0.0f);
  CHECK(t.at(1, kJawOpen) == 0.1f);
  CHECK(t.at(1, kBrowInnerUpR) == 0.75f);
  CHECK(t.timecodes.empty());
  CHECK(t.ignored_columns.empty());
  REQUIRE(t.notes.size() == 1);  // the 50 expressions no column drives
  CHECK(t.notes[0].find("ict.csv") == 0);
  CHECK(t.notes[0].find("50 ICT") != std::string::npos);
  CHECK(t.notes[0].find("eyeBlink_R") != std::string::npos);
}

TEST_CASE("weights CSV in ARKit naming: browInnerUp and cheekPuff drive both halves",
          "[infer][csv]") {
  const WeightsTable t = parse_weights_csv(
      "\xEF\xBB\xBF"
      "eyeBlinkLeft,browInnerUp,cheekPuff,mouthSmileRight,tongueOut\n"
      "0.1,0.6,0.3,0.9,0.5\n",
      "arkit.csv");
  REQUIRE(t.num_frames == 1);
  CHECK(t.at(0, kEyeBlinkL) == 0.1f);
  CHECK(t.at(0, kBrowInnerUpL) == 0.6f);
  CHECK(t.at(0, kBrowInnerUpR) == 0.6f);
  CHECK(t.at(0, kCheekPuffL) == 0.3f);
  CHECK(t.at(0, kCheekPuffR) == 0.3f);
  CHECK(t.at(0, kMouthSmileR) == 0.9f);
  CHECK(t.ignored_columns == std::vector<std::string>{"tongueOut"});
  REQUIRE(t.notes.size() == 2);
  CHECK(t.notes[0].find("tongueOut") != std::string::npos);
}

TEST_CASE("weights CSV from Live Link Face: all 53 driven, extra columns ignored and noted",
          "[infer][csv]") {
  // Column j of frame f holds (f + 1) * 0.001 * j; the first two columns are text/ints.
  std::string text = std::string(kLiveLinkHeader) + "\n";
  const char* timecodes[] = {"14:41:51:05.432", "14:41:51:06.431", "14:41:51:07.432"};
  for (int f = 0; f < 3; ++f) {
    text += std::string(timecodes[f]) + ",61";
    for (int j = 2; j < 63; ++j) text += "," + std::to_string((f + 1) * 0.001 * j);
    text += "\n";
  }
  TempDir dir("llf");
  const std::string path = dir.write("take.csv", text);
  const WeightsTable t = read_weights_csv(path);
  REQUIRE(t.num_frames == 3);
  CHECK(t.timecodes == std::vector<std::string>{timecodes[0], timecodes[1], timecodes[2]});
  const std::vector<std::string> ignored = {"Timecode",    "BlendShapeCount", "TongueOut",
                                            "HeadYaw",     "HeadPitch",       "HeadRoll",
                                            "LeftEyeYaw",  "LeftEyePitch",    "LeftEyeRoll",
                                            "RightEyeYaw", "RightEyePitch",   "RightEyeRoll"};
  CHECK(t.ignored_columns == ignored);
  REQUIRE(t.notes.size() == 1);  // every ICT expression is driven: only the ignored-columns note
  CHECK(t.notes[0].find(path) == 0);
  CHECK(t.notes[0].find("HeadYaw") != std::string::npos);
  // Header positions: EyeBlinkLeft 2, EyeBlinkRight 9, JawOpen 19, MouthSmileRight 26,
  // BrowInnerUp 45, CheekPuff 48.
  auto value = [](int f, int j) { return float((f + 1) * 0.001 * j); };
  for (int f = 0; f < 3; ++f) {
    CHECK(t.at(f, kEyeBlinkL) == Approx(value(f, 2)));
    CHECK(t.at(f, kEyeBlinkR) == Approx(value(f, 9)));
    CHECK(t.at(f, kJawOpen) == Approx(value(f, 19)));
    CHECK(t.at(f, kMouthSmileR) == Approx(value(f, 26)));
    CHECK(t.at(f, kBrowInnerUpL) == Approx(value(f, 45)));
    CHECK(t.at(f, kBrowInnerUpR) == Approx(value(f, 45)));
    CHECK(t.at(f, kCheekPuffL) == Approx(value(f, 48)));
    CHECK(t.at(f, kCheekPuffR) == Approx(value(f, 48)));
  }
}

TEST_CASE("weights CSV: bad rows name the file, the line and the column", "[infer][csv]") {
  TempDir dir("csv_bad");
  const std::string header = "Timecode,jawOpen,eyeBlinkLeft\n";
  SECTION("empty value") {
    const std::string p = dir.write("a.csv", header + "t0,0.1,0.2\n\nt2,0.3,\n");
    const std::string e = error_of([&] { read_weights_csv(p); });
    CHECK(e == p + ":4: column 'eyeBlinkLeft': missing value");
  }
  SECTION("short row") {
    const std::string p = dir.write("b.csv", header + "t0,0.1,0.2\nt1,0.3\n");
    CHECK(error_of([&] { read_weights_csv(p); }) == p + ":3: column 'eyeBlinkLeft': missing value");
  }
  SECTION("non-numeric value") {
    const std::string p = dir.write("c.csv", header + "t0,0.1,0.2\nt1,abc,0.2\n");
    CHECK(error_of([&] { read_weights_csv(p); }) ==
          p + ":3: column 'jawOpen': 'abc' is not a number");
  }
  SECTION("number followed by text, and non-finite numbers") {
    for (const char* bad : {"0.5x", "nan", "inf", "1,5"}) {
      const std::string p = dir.write("d.csv", header + "t0,\"" + std::string(bad) + "\",0.2\n");
      const std::string e = error_of([&] { read_weights_csv(p); });
      INFO(e);
      CHECK(e.find(p + ":2: column 'jawOpen': '" + std::string(bad) + "' is not a number") == 0);
    }
  }
  SECTION("too many fields") {
    const std::string p = dir.write("e.csv", header + "t0,0.1,0.2,0.3\n");
    CHECK(error_of([&] { read_weights_csv(p); }).find(p + ":2: 4 fields") == 0);
  }
  SECTION("whole-file problems") {
    const std::string empty = dir.write("empty.csv", "");
    CHECK(error_of([&] { read_weights_csv(empty); }).find(empty + ": empty file") == 0);
    const std::string blank = dir.write("blank.csv", "\n  \n");
    CHECK(error_of([&] { read_weights_csv(blank); }).find(blank + ": empty file") == 0);
    const std::string only_header = dir.write("h.csv", header);
    CHECK(error_of([&] { read_weights_csv(only_header); }) ==
          only_header + ": header row but no data rows");
    const std::string unknown = dir.write("u.csv", "Timecode,HeadYaw\n1,2\n");
    CHECK(error_of([&] {
            read_weights_csv(unknown);
          }).find(unknown + ": no column names a blendshape") == 0);
    const std::string twice = dir.write("t.csv", "browInnerUp,browInnerUp_L\n1,2\n");
    CHECK(error_of([&] { read_weights_csv(twice); }) ==
          twice +
              ": columns 'browInnerUp' and 'browInnerUp_L' both drive the ICT expression "
              "browInnerUp_L");
    const std::string missing = (dir.path / "missing.csv").string();
    CHECK(error_of([&] { read_weights_csv(missing); }).find(missing + ": cannot open") == 0);
  }
  SECTION("text in an ignored column is fine") {
    const std::string p = dir.write("f.csv", "jawOpen,Comment\n0.5,\"hello, world\"\n0.25,\n");
    const WeightsTable t = read_weights_csv(p);
    CHECK(t.num_frames == 2);
    CHECK(t.at(1, kJawOpen) == 0.25f);
  }
}

TEST_CASE("weights CSV round trip: write then read, ICT and ARKit naming", "[infer][csv]") {
  TempDir dir("csv_rt");
  const int frames = 7;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> w(frames * 53);
  for (float& x : w) x = u(rng);
  const std::vector<std::string> tc = {"00:00:00:00", "00:00:00:01", "a,b", "q\"x", "4", "5", "6"};

  SECTION("ICT naming is exact") {
    const std::string p = (dir.path / "ict.csv").string();
    write_weights_csv(p, w, frames, WeightsNaming::Ict, tc);
    const WeightsTable t = read_weights_csv(p);
    CHECK(t.num_frames == frames);
    CHECK(t.weights == w);
    CHECK(t.timecodes == tc);
    CHECK(t.ignored_columns == std::vector<std::string>{"Timecode"});
    CHECK_FALSE(fs::exists(p + ".tmp"));
  }
  SECTION("ARKit naming: split halves come back as their mean, the rest exactly") {
    const std::string p = (dir.path / "arkit.csv").string();
    write_weights_csv(p, w, frames, WeightsNaming::Arkit);
    std::ifstream in(p);
    std::string header;
    std::getline(in, header);
    CHECK(header.rfind("browDownLeft,browDownRight,browInnerUp,browOuterUpLeft,", 0) == 0);
    const WeightsTable t = read_weights_csv(p);
    REQUIRE(t.num_frames == frames);
    CHECK(t.timecodes.empty());
    CHECK(t.notes.empty());
    for (int f = 0; f < frames; ++f) {
      for (int e = 0; e < 53; ++e) {
        const int pair = (e == kBrowInnerUpL || e == kBrowInnerUpR) ? kBrowInnerUpL
                         : (e == kCheekPuffL || e == kCheekPuffR)   ? kCheekPuffL
                                                                    : -1;
        const float expected =
            pair < 0 ? w[f * 53 + e]
                     : float((double(w[f * 53 + pair]) + double(w[f * 53 + pair + 1])) / 2);
        INFO("frame " << f << " " << ict_expression_names()[e]);
        CHECK(t.at(f, e) == expected);
      }
    }
  }
  SECTION("bad sizes and unwritable paths throw and leave nothing") {
    CHECK_THROWS_AS(
        write_weights_csv((dir.path / "x.csv").string(), w, frames + 1, WeightsNaming::Ict),
        std::invalid_argument);
    std::vector<float> bad = w;
    bad[5] = std::nanf("");
    CHECK_THROWS_AS(
        write_weights_csv((dir.path / "y.csv").string(), bad, frames, WeightsNaming::Ict),
        std::invalid_argument);
    CHECK_THROWS_AS(
        write_weights_csv((dir.path / "no" / "z.csv").string(), w, frames, WeightsNaming::Ict),
        std::runtime_error);
    CHECK(fs::is_empty(dir.path));
  }
}
