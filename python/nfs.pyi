"""NFS: mesh-agnostic facial expression cloning (Neural Face Skinning), from Python.

    import nfs, numpy as np
    engine = nfs.Engine()                                # default model, CPU or CUDA ("auto")
    target = engine.prepare_target(V, F)                 # V [n,3] float, F [f,3] int or polygon lists
    shapes = engine.rig(target)                          # {"eyeBlink_L": [n,3] deltas, ...} (53)
    take = nfs.read_weights_csv("take.csv")              # ICT / ARKit / Live Link Face columns
    frames = engine.animate(target, take.weights)        # [T,n,3] positions
    weights = engine.encode(src_frames, src_faces)       # [T,53] FACS weights of source frames
    moved = engine.retarget(src_frames, src_faces, target)   # [T,n,3] on the target

Positions are in the mesh's own frame and units, in and out; the engine aligns each mesh to its
canonical frame itself (pass `up` / `forward` for a mesh that is not Y-up, looking along +Z:
Blender's local space is up="z", forward="-y"). Positions are read as float64, weights and codes
as float32 (arrays of that dtype in C order without a copy; others are converted); results are
new float32 arrays. The GIL is released while the engine computes. Every engine
error raises RuntimeError (files, models, meshes) or ValueError (arguments) carrying the engine's
one-line message.
"""
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

# progress(done, total) is called on the calling thread, with the GIL held, between batches of
# frames (rig counts the neutral too: 54 for 53 shapes). An exception raised in it stops the call
# and propagates: that is how a long call is cancelled.
Progress = Optional[Callable[[int, int], None]]
# Triangles [f,3] or polygons of one size [f,k] (any integer dtype), or a sequence of polygons,
# each a sequence of >= 3 vertex indices (mixed sizes: Blender's and most DCCs' meshes).
Faces = Union[npt.ArrayLike, Sequence[Sequence[int]]]

NUM_EXPRESSIONS: int  # 53

def expression_names(naming: str = "ict") -> List[str]:
    """The blendshape names in engine order: "ict" gives the kit's 53 (eyeBlink_L, ...); "arkit"
    gives ARKit's 51 that ICT carries (eyeBlinkLeft, ...; browInnerUp and cheekPuff each gather
    the two ICT halves; no tongueOut)."""

def arkit_groups() -> Dict[str, List[int]]:
    """For each ARKit name of expression_names("arkit"), the ICT indices it drives."""

def ict_indices(name: str) -> List[int]:
    """The ICT indices a blendshape name drives (ICT, ARKit or Live Link Face spelling, any case,
    a "prefix." or "prefix:" allowed); [] when it names no ICT expression (HeadYaw, tongueOut)."""

def devices() -> List[str]:
    """The compute devices this build can use now: ["cpu"] or ["cpu", "cuda"]."""

class Take:
    """A blendshape take read from CSV."""
    weights: np.ndarray           # [T,53] float32, ICT order
    timecodes: List[str]          # [T] when the file had a Timecode column, else []
    notes: List[str]              # ignored columns, undriven expressions (one line each)
    frame_rate: Optional[float]   # from Live Link Face timecodes (24/25/30/48/50/60...), else None
    @property
    def num_frames(self) -> int: ...

def read_weights_csv(path: str) -> Take:
    """Reads ICT, ARKit or Live Link Face weights (column names matched as nfs_infer does)."""

def write_weights_csv(path: str, weights: npt.ArrayLike, naming: str = "ict") -> None:
    """Writes weights [T,53] (ICT order) with ICT (53) or ARKit (51) columns, atomically."""

class Target:
    """A neutral target mesh, aligned and with its operators built: prepared once, used often."""
    @property
    def vertex_count(self) -> int: ...
    @property
    def rest_positions(self) -> np.ndarray: ...   # [n,3] float32, the mesh as given
    @property
    def warnings(self) -> List[str]: ...          # from the mesh check (degenerate faces, ...)
    @property
    def alignment_error(self) -> float: ...       # RMS distance to the ICT neutral (canonical units, trimmed)

class Engine:
    def __init__(self, model: Optional[str] = None, device: str = "auto",
                 ict_model: Optional[str] = None, batch: int = 8) -> None:
        """Loads a model (default: $NFS_MODEL if set, else the shipped nfs_default.safetensors of
        the sources or of the installation, PREFIX/share/nfs/models) on "cpu", "cuda" or "auto"
        (CUDA when a device is present)."""
    @property
    def device(self) -> str: ...                  # "cpu" or "cuda"
    @property
    def code_dim(self) -> int: ...                # 128; the first 53 entries are FACS weights

    def prepare_target(self, vertices: Union[npt.ArrayLike, str], faces: Optional[Faces] = None, *,
                       align: str = "auto", up: Optional[str] = None, forward: Optional[str] = None,
                       scale: Optional[float] = None) -> Target:
        """A target from arrays (vertices [n,3], faces) or from a mesh file path (OBJ/glTF).
        align: "auto" | "bbox" | "none"; up / forward: "x", "y", "z", "-x", "-y", "-z"."""

    def rig(self, target: Target, naming: str = "ict", progress: Progress = None) -> Dict[str, np.ndarray]:
        """The target's blendshapes as deltas [n,3] from its decoded neutral, by name, in order:
        53 ICT shapes, or 51 ARKit shapes (a split pair decoded with both halves at 1)."""

    def animate(self, target: Target, weights: npt.ArrayLike, progress: Progress = None) -> np.ndarray:
        """Target positions [T,n,3] for FACS weights [T,53] (or [53]: one frame)."""

    def encode(self, frames: Union[npt.ArrayLike, Sequence[str]], faces: Optional[Faces] = None, *,
               neutral: Optional[npt.ArrayLike] = None, full_code: bool = False,
               up: Optional[str] = None, forward: Optional[str] = None,
               progress: Progress = None) -> np.ndarray:
        """Inverse rigging: FACS weights [T,53] (full_code: codes [T,code_dim]) of source frames
        [T,m,3] (or [m,3]) sharing `faces`, or of mesh files. The source's neutral is `neutral`
        ([m,3] or a file path), else the first frame."""

    def decode(self, target: Target, codes: npt.ArrayLike, progress: Progress = None) -> np.ndarray:
        """Target positions [T,n,3] for codes [T,code_dim] (from encode(full_code=True))."""

    def retarget(self, source_frames: Union[npt.ArrayLike, Sequence[str]], source_faces: Optional[Faces],
                 target: Target, *, neutral: Optional[npt.ArrayLike] = None,
                 up: Optional[str] = None, forward: Optional[str] = None,
                 progress: Progress = None) -> np.ndarray:
        """Clones each source frame's expression onto the target: positions [T,n,3]."""
