"""Every edition's pages are the site's: each earlier edition is a database of its own (pycon2023 beside
the site's pycon, served as scripts/databases.py says), and Datasette looks for a page's template by the
database's name (`query-pycon2023-program.html`, `row-pycon2023-sessions.html`). Where no such template
exists, this loader gives the site's (`query-pycon-program.html`), so an edition needs no copy of any.
"""
from datasette import hookimpl
from jinja2 import BaseLoader, TemplateNotFound

from scripts.core.names import site_template


class EditionTemplates(BaseLoader):
    """Datasette's loader, with an edition's template names falling back to the site's."""

    def __init__(self, loader):
        self.loader = loader

    def get_source(self, environment, template):
        try:
            return self.loader.get_source(environment, template)
        except TemplateNotFound:
            site = site_template(template)
            if site == template:
                raise
            return self.loader.get_source(environment, site)

    def list_templates(self):
        return self.loader.list_templates()


@hookimpl
def prepare_jinja2_environment(env):
    env.loader = EditionTemplates(env.loader)
