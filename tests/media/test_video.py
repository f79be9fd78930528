"""Video keyframes: a few, spread over the video, within limits; broken videos refused."""

import pytest

from benarkah.errors import MediaError
from benarkah.media.kinds import MediaProblem
from benarkah.media.limits import MediaLimits
from benarkah.media.video import keyframes
from tests.media.make import noise_picture, tiny_video


def test_keyframes_come_from_across_the_video():
    data = tiny_video([noise_picture(i, (160, 120)) for i in range(4)], seconds_each=1.0)
    frames = keyframes(data, MediaLimits(video_frames=4))
    assert 2 <= len(frames) <= 4 and frames[0].mode == "RGB" and frames[0].size == (160, 120)


@pytest.mark.parametrize("limits,problem", [
    (MediaLimits(max_video_seconds=1.0), MediaProblem.TOO_LONG),
    (MediaLimits(max_pixels=1000), MediaProblem.TOO_MANY_PIXELS),
    (MediaLimits(max_video_bytes=100), MediaProblem.TOO_LARGE),
])
def test_limits(limits, problem):
    data = tiny_video([noise_picture(1, (160, 120)), noise_picture(2, (160, 120))])
    with pytest.raises(MediaError) as caught:
        keyframes(data, limits)
    assert caught.value.problem is problem


def test_a_truncated_video_is_corrupt():
    data = tiny_video([noise_picture(1, (160, 120))])
    with pytest.raises(MediaError) as caught:
        keyframes(data[:300], MediaLimits())
    assert caught.value.problem is MediaProblem.CORRUPT
