# Generated from _async/groups.py by `python -m yspbx.client._unasync`: do not edit.
from __future__ import annotations

import builtins
from typing import Unpack

from yspbx.client._areas._sync._area import Area
from yspbx.client._models import ivrs, paging, queues
from yspbx.client._models.ivrs import Ivr, IvrChanges
from yspbx.client._models.paging import (
    PagingGroup,
    PagingGroupChanges,
    PagingGroupSummary,
    PagingMode,
)
from yspbx.client._models.queues import Queue, QueueChanges, QueueStatus
from yspbx.client._wire import IdList, split_list


class Ivrs(Area):
    """IVRs (docs/pbx-api/ivrs-queues-paging.md). Calls into an IVR are in ``client.calls``."""

    def query(self, numbers: IdList | None = None) -> builtins.list[Ivr]:
        """The settings of the given IVRs (all of them when None)."""
        fields = ivrs.IvrQuery(numbers=split_list(numbers) if numbers else None)
        return self._send(ivrs.IVR_QUERY, fields)

    def update(self, number: str, **changes: Unpack[IvrChanges]) -> None:
        """Change some settings of IVR ``number``; only what is given is sent."""
        fields = ivrs.IvrUpdate.model_validate({"ivr": number, **changes})
        self._send(ivrs.IVR_UPDATE, fields)


class Queues(Area):
    """Queues (docs/pbx-api/ivrs-queues-paging.md): settings, live status, agents and pauses."""

    def query(self, numbers: IdList | None = None) -> builtins.list[Queue]:
        """The settings of the given queues (all of them when None)."""
        fields = queues.QueueQuery(numbers=split_list(numbers) if numbers else None)
        return self._send(queues.QUEUE_QUERY, fields)

    def update(self, number: str, **changes: Unpack[QueueChanges]) -> None:
        """Change some settings of queue ``number``; only what is given is sent."""
        fields = queues.QueueUpdate.model_validate({"queue": number, **changes})
        self._send(queues.QUEUE_UPDATE, fields)

    def status(self, number: str) -> QueueStatus:
        """Callers waiting in queue ``number`` and what each agent is doing."""
        fields = queues.QueueStatusQuery(queue=number)
        return self._send(queues.QUEUE_STATUS, fields)

    def add_dynamic_agent(self, queue: str, extension: str, password: str | None = None) -> None:
        """Log ``extension`` into ``queue`` as a dynamic agent (``password``: the queue's)."""
        fields = queues.QueueAgent(queue=queue, extension=extension, password=password)
        self._send(queues.QUEUE_ADD_DYNAMIC_AGENT, fields)

    def remove_dynamic_agent(self, queue: str, extension: str, password: str) -> None:
        """Log dynamic agent ``extension`` out of ``queue``."""
        fields = queues.QueueAgent(queue=queue, extension=extension, password=password)
        self._send(queues.QUEUE_REMOVE_DYNAMIC_AGENT, fields)

    def pause_agent(self, queue: str, extension: str) -> None:
        """Stop offering ``queue``'s calls to agent ``extension`` until unpaused."""
        fields = queues.QueueAgent(queue=queue, extension=extension)
        self._send(queues.QUEUE_PAUSE_AGENT, fields)

    def unpause_agent(self, queue: str, extension: str) -> None:
        fields = queues.QueueAgent(queue=queue, extension=extension)
        self._send(queues.QUEUE_UNPAUSE_AGENT, fields)


class PagingGroups(Area):
    """Paging and intercom groups (docs/pbx-api/ivrs-queues-paging.md)."""

    def list(self) -> builtins.list[PagingGroupSummary]:
        """Every paging group's id, number and name."""
        return self._send(paging.PAGING_GROUP_LIST)

    def query(self, numbers: IdList = "all") -> builtins.list[PagingGroup]:
        """The settings of the given paging groups (``"all"``: every one)."""
        fields = paging.PagingGroupNumbers(numbers=split_list(numbers))
        return self._send(paging.PAGING_GROUP_QUERY, fields)

    def add(
        self,
        number: str,
        name: str,
        mode: PagingMode,
        *,
        members: IdList = (),
        member_groups: IdList = (),
        private_answer: bool = False,
        multicast_ip: str | None = None,
    ) -> None:
        """Add a ``paging`` (one way), ``intercom`` (two way) or ``multicast`` group."""
        fields = paging.PagingGroupFields(
            number=number,
            name=name,
            mode=mode,
            members=split_list(members),
            member_groups=split_list(member_groups),
            private_answer=private_answer,
            multicast_ip=multicast_ip,
        )
        self._send(paging.PAGING_GROUP_ADD, fields)

    def update(self, group_id: str, **changes: Unpack[PagingGroupChanges]) -> None:
        """Change the group with id ``group_id`` (``PagingGroup.id``)."""
        fields = paging.PagingGroupFields.model_validate({"id": group_id, **changes})
        self._send(paging.PAGING_GROUP_UPDATE, fields)

    def delete(self, numbers: IdList) -> None:
        """Delete paging groups by number (``"all"``: every one)."""
        fields = paging.PagingGroupNumbers(numbers=split_list(numbers))
        self._send(paging.PAGING_GROUP_DELETE, fields)
