"""Factories for recordings and their caption tracks."""

import factory

from recordings.models import CaptionTrack, Recording


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recording

    url = factory.Sequence(lambda n: f"https://www.youtube.com/watch?v=demo{n:07d}")
    title = factory.Sequence(lambda n: f"Recording {n}")
    duration_seconds = 3600


class CaptionTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaptionTrack

    recording = factory.SubFactory(RecordingFactory)
    language = "fi"
