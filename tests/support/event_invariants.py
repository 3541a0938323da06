"""The Responses streaming contract, checked on any list of event dicts."""

from __future__ import annotations

TERMINAL = {"response.completed", "response.failed", "response.incomplete"}


def assert_event_contract(events: list[dict]) -> dict:
    """Check the ordering rules and return the terminal event."""
    assert events, "no events"
    types = [e["type"] for e in events]
    assert types[:2] == ["response.created", "response.in_progress"], types[:3]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    terminals = [t for t in types if t in TERMINAL]
    assert len(terminals) == 1 and types[-1] in TERMINAL, (
        f"terminal events: {terminals}, last {types[-1]}"
    )
    open_item: str | None = None
    seen_items: list[str] = []
    for event in events[2:-1]:
        kind = event["type"]
        if kind == "response.output_item.added":
            assert open_item is None, f"item {event['item']['id']} added while {open_item} is open"
            open_item = event["item"]["id"]
            assert event["output_index"] == len(seen_items)
            seen_items.append(open_item)
        elif kind == "response.output_item.done":
            assert open_item == event["item"]["id"], (
                f"done for {event['item']['id']} while {open_item} open"
            )
            open_item = None
        else:
            assert event.get("item_id") == open_item, (
                f"{kind} for {event.get('item_id')} outside its item"
            )
    terminal = events[-1]
    if terminal["type"] != "response.failed":
        assert open_item is None, f"item {open_item} never done"
        done_items = [e["item"] for e in events if e["type"] == "response.output_item.done"]
        assert terminal["response"]["output"] == done_items
    return terminal
