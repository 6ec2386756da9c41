"""Give the demo users of `make run` a language: run by tools/run.sh through
`odoo-bin shell`, which provides `env`, with the language code in RUN_LANG."""

import os

env = env  # noqa: F821 (given by odoo-bin shell)
lang = os.environ["RUN_LANG"]
if (
    not env["res.lang"]
    .with_context(active_test=False)
    .search([("code", "=", lang)])
    .active
):
    # as Settings > Languages > Add does: activate it, then load the terms of
    # every installed module
    env["res.lang"]._activate_lang(lang)
    env["ir.module.module"].search([("state", "=", "installed")])._update_translations(
        lang
    )
logins = ["admin", "demo", "support", "purchases", "carmen"]
users = (
    env["res.users"].with_context(active_test=False).search([("login", "in", logins)])
)
# the superuser too: the crons' notes and `make shell`'s come in the same language
users |= env.ref("base.user_root")
users.write({"lang": lang})
env.cr.commit()
print(f"run: {', '.join(sorted(users.mapped('login')))} now use {lang}")
