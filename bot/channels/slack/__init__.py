"""Slack: Bolt (async) on our aiohttp server, split by concern.

* ``channel``: ``SlackChannel``, which puts the parts together for the server;
* ``app``: the Bolt app and its listeners, the HTTP endpoints (events, OAuth install);
* ``verify``: a request's signature checked on the raw body, and its shape, before anything
  parses it (4xx, one warning line for a flood);
* ``events``: what a Slack request asks of us (``SlackEvent``), stored in the inbox before the
  request is acknowledged (a retried ``event_id`` is stored once, so it gets no second reply);
* ``turns``: the inbox worker's side: a stored event's turn is run and its reply queued as
  deliveries in the same transaction (the channel adapter, ``bot.channels.contract``);
* ``modals``: forms in modals (the trigger used at once with a loading view, then filled);
* ``home``: the App Home tab; ``welcome``: the greeting in a channel Leerbot was added to;
* ``install``: multi-workspace install (OAuth) stores, tokens encrypted at rest;
* ``web``: Web API clients and what we look up (locale, timezone, DMs), cached in ``caches``;
* ``sending``: the delivery worker's side: Web API calls, errors classified, the check whether
  an interrupted post arrived;
* ``render``: messages to Block Kit within Slack's limits.

This package imports nothing on its own, so ``render`` can be used without loading Bolt.
"""
