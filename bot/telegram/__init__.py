"""The Telegram front-end: application wiring, handlers, buttons, access control and the bot's own state.

Talks to the engine only through ``from index import ...`` and to the official only through ``bot.render``.
"""
