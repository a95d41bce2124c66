"""The nfs module and its engines: found through the preferences, loaded once, run with progress."""

import importlib
import os
import sys
import threading

import bpy

from . import preferences

_engines = {}  # (model, device) -> nfs.Engine: loading a model is slow, keep one per setting


class Unavailable(Exception):
    """The nfs module cannot be imported; the message says how to fix it."""


def module(context):
    """The nfs module, after putting the preferences' module path on sys.path."""
    if "nfs" in sys.modules:
        return sys.modules["nfs"]
    folder = bpy.path.abspath(preferences.get(context).module_path).rstrip(os.sep)
    if folder and folder not in sys.path:
        sys.path.insert(0, folder)
    # A failed import leaves stale directory listings behind; forget them so a fresh build is seen.
    importlib.invalidate_caches()
    try:
        return importlib.import_module("nfs")
    except ImportError as e:
        raise Unavailable(
            f"NFS: the nfs Python module cannot be imported ({e}). Build the project "
            "(bash tools/run_tests.sh builds build/python), then set its folder in "
            "Edit > Preferences > Add-ons > NFS > Module path") from None


def engine(context):
    """The cached nfs.Engine for the preferences' model and device."""
    nfs = module(context)
    prefs = preferences.get(context)
    model = bpy.path.abspath(prefs.model_path) if prefs.model_path else None
    key = (model, prefs.device)
    if key not in _engines:
        _engines[key] = nfs.Engine(model=model, device=prefs.device)
    return _engines[key]


def run(context, label, call):
    """call(progress) on a worker thread, showing its progress; returns its result or raises.

    The engine releases the GIL and calls progress from its computing thread, while Blender's
    window API may only be used from the main thread: the callback just records the count and
    the main thread shows it.
    """
    count = [0, 0]
    outcome = {}

    def progress(done, total):
        count[:] = done, total

    def work():
        try:
            outcome["value"] = call(progress)
        except Exception as e:  # re-raised on the main thread
            outcome["error"] = e

    wm = context.window_manager
    _status(context, f"NFS: {label}...")
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    shown_total = 0
    try:
        while worker.is_alive():
            worker.join(0.1)
            done, total = count
            if total and total != shown_total:
                wm.progress_begin(0, total)
                shown_total = total
            if shown_total:
                wm.progress_update(done)
    finally:
        if shown_total:
            wm.progress_end()
        _status(context, None)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _status(context, text):
    # Background runs may have no window or workspace to show a status line in.
    if context.window is not None and getattr(context, "workspace", None) is not None:
        context.workspace.status_text_set(text)
