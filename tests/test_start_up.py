"""What a web process does as it starts, before anyone's first request."""

from fastapi.testclient import TestClient

from app.main import create_app
from app.templating import templates


def test_a_starting_process_compiles_every_page_template_before_the_first_request(settings):
    templates.env.cache.clear()
    app = create_app(settings.model_copy(update={"warm_up": True}))
    with TestClient(app):
        compiled = {name for _, name in templates.env.cache}
    app.state.engine.dispose()
    assert compiled >= set(templates.env.list_templates(extensions=["html"]))


def test_without_warm_up_nothing_is_compiled_until_asked(settings):
    templates.env.cache.clear()
    app = create_app(settings)
    with TestClient(app):
        compiled = {name for _, name in templates.env.cache}
    app.state.engine.dispose()
    assert not compiled
