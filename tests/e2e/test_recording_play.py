"""A recording's click-to-load placeholder in the browser: by keyboard, the player replaces
it with the focus inside, the play is counted once (reach), nothing came from YouTube before."""

import pytest

from reach import services as reach
from reach.models import CountKind, DailyCount
from tests.e2e.conftest import focus_is_visible, page_problems, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A person's browser: Chromium's headless user agent names itself and is not counted.
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
PLAYER = "<!doctype html><html lang='fi'><title>Video</title><p>Soitin</p></html>"


@pytest.fixture
def person_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fi-FI",
        viewport={"width": 1280, "height": 900},
        user_agent=DESKTOP,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_placeholder_loads_the_player_by_keyboard_and_counts_the_play(world, person_page):
    page = person_page
    youtube = []

    def fake_youtube(route):
        youtube.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=PLAYER)

    page.route("https://www.youtube-nocookie.com/**", fake_youtube)
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(world.past.get_absolute_url())
    assert page.locator("iframe").count() == 0
    assert page_problems(page) == []
    assert youtube == []  # the page alone asks nothing of YouTube

    tab_to(page, "a[data-play-recording]")
    assert focus_is_visible(page)
    with page.expect_response(lambda response: "/go/play/" in response.url) as counted:
        page.keyboard.press("Enter")
    assert counted.value.status == 204
    frame = page.locator(f"iframe[src*='{world.published.video_id}']")
    frame.wait_for()
    src = frame.get_attribute("src")
    assert src.startswith("https://www.youtube-nocookie.com/embed/")
    assert "autoplay=1" in src and "cc_load_policy=1" in src
    assert world.published.title in frame.get_attribute("title")
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"
    assert page.locator("a[data-play-recording]").count() == 0
    assert page.url.endswith(world.past.get_absolute_url())  # no navigation
    assert page_problems(page) == []
    assert youtube and youtube[0] == src

    reach.flush_counts()
    plays = DailyCount.objects.filter(kind=CountKind.RECORDING_PLAY, target_id=world.past.pk)
    assert sum(plays.values_list("count", flat=True)) == 1
    assert [text for text in console if "Content Security Policy" in text] == []
