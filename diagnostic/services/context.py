"""Who acts, in which language, on which unit of work: what every use case receives."""

from __future__ import annotations

from dataclasses import dataclass

from diagnostic.storage.uow import UnitOfWork

LOCAL_ISSUER = "local"  # the implicit owner of local mode (migration 0003)
LOCAL_SUBJECT = "owner"


@dataclass(frozen=True)
class Actor:
    """The person (or the command line) acting. Rights are read from the database at each use case."""

    user_id: int | None
    label: str = ""  # for the audit log
    local: bool = False  # the implicit owner of local mode
    operator: bool = False  # the command line on the server: every workspace, as its owner


OPERATOR = Actor(user_id=None, label="ligne de commande", operator=True)


@dataclass
class Context:
    uow: UnitOfWork
    actor: Actor
    lang: str = "fr"
    workspace_id: int | None = None  # the workspace chosen on screen: where new companies go

    def fresh(self) -> Context:
        """The same actor and language on a unit of work of its own (for another thread)."""
        return Context(self.uow.fresh(), self.actor, self.lang, self.workspace_id)
