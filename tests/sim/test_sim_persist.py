"""The demo's saved world (sim.persist): kept whole across restarts, its media
moved to the new port, a damaged file set aside rather than fatal."""

from __future__ import annotations

import stat

from nemochat.sim import draft as drafts
from nemochat.sim.persist import start_saved_simulator


def test_a_restarted_simulator_has_the_same_world_on_its_new_port(tmp_path):
    path = tmp_path / "world.json"
    sim, found = start_saved_simulator(path)
    with sim:
        assert not found
        token = sim.world.issue_token("client-1")
        session = sim.world.create_session(token.user_id, "project", "en")
        clip = drafts.segment("clip", 0, 2000, u=f"{sim.base_url}/cdn/media/clip.mp4")
        sim.world.edit_session(session.session_id, lambda s: drafts.replace_track(s.draft, drafts.VIDEO, "Video", [clip]))
        sim.world.charge(token.user_id, 10)
        sim.world.providers.charge("sk-key", 4)
        sim.world.changed()
        first_url = sim.base_url
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    again, found = start_saved_simulator(path)
    with again:
        assert found and again.base_url != first_url
        assert again.world.user_for_token(token.value).credits == 90
        kept = again.world.session(session.session_id)
        assert f"{again.base_url}/cdn/media/clip.mp4" in str(kept.draft) and first_url not in str(kept.draft)
        assert again.world.providers.balance("sk-key") == again.world.providers.starting_credits - 4


def test_a_damaged_file_is_set_aside_and_the_world_starts_fresh(tmp_path):
    path = tmp_path / "world.json"
    path.write_text('{"format": 1, "base_url": "http://x", "world": {"users": [')
    sim, found = start_saved_simulator(path)
    with sim:
        assert not found and sim.world.users == []
    assert (tmp_path / "world.json.bad").exists()


def test_two_demos_at_once_keep_each_others_changes(tmp_path):
    """The REPL in one terminal, `--demo ask` in another: each request takes in
    what the other saved, and each save keeps the other's sessions and credits."""
    path = tmp_path / "world.json"
    repl, _ = start_saved_simulator(path)
    with repl:
        user = repl.world.issue_token("client-1").user_id
        repl.world.changed()
        ask, found = start_saved_simulator(path)
        with ask:
            assert found
            made = ask.world.create_session(user, "project", "en")
            ask.world.charge(user, 10)
            ask.world.settle(user, 10)
            ask.world.changed()
        repl.world.requested()  # the REPL's next request
        assert repl.world.session(made.session_id) is not None and repl.world.user(user).credits == 90
        mine = repl.world.create_session(user, "another", "en")
        repl.world.changed()
    again, _ = start_saved_simulator(path)
    with again:
        assert again.world.session(made.session_id) and again.world.session(mine.session_id)
        assert again.world.user(user).credits == 90
