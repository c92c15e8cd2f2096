"""The rules the build, the importers and the plugins share, each written once: which databases the site
serves (`names`), how text is folded and how many words a search reads (`words`), when two sessions
overlap and how minutes read (`times`), the conference clock (`clock`), and each edition's vocabulary
as pages say it (`vocabulary`). Plugins import them from here: Datasette loads each plugin file as a
module of its own, so a plugin cannot import another, but all of them can import this package."""
