"""A few keyframes of a video, bounded in bytes, pixels, duration and work.

Only keyframes are decoded (``skip_frame = NONKEY``) and only at a handful of seek points spread over
the video, so the cost is the same for a 10-second clip and a 5-minute one. PyAV's wheels bundle
FFmpeg: nothing to install besides the package.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from ..errors import MediaError
from .kinds import MediaProblem
from .limits import MediaLimits

def keyframes(data: bytes, limits: MediaLimits) -> list[Image.Image]:
    """Up to ``limits.video_frames`` RGB keyframes spread over the video; ``MediaError`` says why not."""
    if len(data) > limits.max_video_bytes:
        raise MediaError(MediaProblem.TOO_LARGE, f"the video is {len(data):,} bytes; the limit is "
                         f"{limits.max_video_bytes:,}")
    import av

    try:
        with av.open(io.BytesIO(data), mode="r", timeout=10.0) as container:
            stream = _video_stream(container, limits)
            return _sample(container, stream, limits)
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise MediaError(MediaProblem.CORRUPT, f"the video cannot be decoded ({type(exc).__name__}: {exc}); "
                         "send it again, or a screenshot of it") from None


def _video_stream(container: Any, limits: MediaLimits) -> Any:
    if not container.streams.video:
        raise MediaError(MediaProblem.UNSUPPORTED, "the file has no video track; send the picture or the text")
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if width * height > limits.max_pixels:
        raise MediaError(MediaProblem.TOO_MANY_PIXELS, f"the video is {width:,} x {height:,} pixels; "
                         f"the limit is {limits.max_pixels:,}")
    seconds = _duration(container, stream)
    if seconds is not None and seconds > limits.max_video_seconds:
        raise MediaError(MediaProblem.TOO_LONG, f"the video is {seconds:.0f} s long; videos up to "
                         f"{limits.max_video_seconds:.0f} s are read (send the part with the claim)")
    stream.codec_context.skip_frame = "NONKEY"
    return stream


def _duration(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _sample(container: Any, stream: Any, limits: MediaLimits) -> list[Image.Image]:
    seconds = _duration(container, stream) or 0.0
    wanted = max(1, limits.video_frames)
    points = [seconds * (i + 0.5) / wanted for i in range(wanted)] if seconds > 0 else [0.0]
    frames: list[Image.Image] = []
    seen: set[int] = set()
    for point in points:
        if stream.time_base is not None and point > 0:
            container.seek(int(point / stream.time_base), stream=stream, backward=True, any_frame=False)
        frame = next(iter(container.decode(stream)), None)  # keyframes only: the first one at or before
        if frame is None or frame.pts in seen:
            continue  # past the end, or the seek landed on a keyframe already taken
        seen.add(frame.pts)
        frames.append(frame.to_image().convert("RGB"))
    if not frames:
        raise MediaError(MediaProblem.CORRUPT, "the video has no decodable picture; send it again")
    return frames
