"""The API as the kit knows it: its request rules, its token bill and its Models data, one room of the core.

The core, the stand-in, the memory wing and the gateway all read it.

It holds the request rules (`rules`: each documented rule once, with what the API answers, its source, the date it
was checked and the kit's stance; the core's pre-send check and the stand-in's answer both walk that one table), the
token bill (`bill`: one estimate of input tokens by the documented formulas), and the Models API data per model
(`models`). The facts these rest on live in `helpers.api_facts`. The room imports no wing.
"""
