"""`lingkar workspace erase`: delete everything Lingkar holds of one workspace, once the app has been removed."""

from __future__ import annotations

from sqlmodel import col, select

from storage.engine import make_engine, make_session_factory
from storage.repositories.slack_orgs import forget_team
from storage.repositories.workspace_state import erase_workspace
from storage.tables import Workspace
from storage.uow import UnitOfWork


async def erase(*, database_url: str, platform: str, external_id: str, force: bool) -> str:
    """What happened, in one line. Refuses a workspace that is still active unless `force`: its members would lose
    their data while still using Lingkar."""
    engine = make_engine(database_url)
    try:
        async with UnitOfWork(make_session_factory(engine)) as uow:
            found = (await uow.session.exec(select(Workspace).where(
                col(Workspace.platform) == platform, col(Workspace.external_id) == external_id))).first()
            if found is None:
                return f"no {platform} workspace {external_id} in this database"
            if found.inactive_since is None and not force:
                return (f"{platform} workspace {external_id} is still active (the app is installed): remove the app "
                        "first, or pass --force")
            rows = await erase_workspace(uow, platform=platform, external_id=external_id)
            if platform == "slack":  # which Enterprise Grid org it was in
                await forget_team(uow, team_id=external_id)
            await uow.commit()
        return f"erased {platform} workspace {external_id}: {rows} rows"
    finally:
        await engine.dispose()
