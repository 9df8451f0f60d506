"""The PBX's configuration objects as plain dataclasses.

One definition serves three purposes: the TOML config is validated against these classes (by
pydantic, which understands stdlib dataclasses), the engine keeps its state in them, and the
API layer turns them into wire dicts. Field names follow the PBX's wire names wherever the API
has one, so the config reads like the API; the exceptions are ``number``/``name`` for the
object's key and ``mobile`` (the wire spells it ``moblie``). Switches are ``bool`` here and
``on``/``off`` (or ``yes``/``no``) on the wire; numbers are ``int`` here and strings on the wire.
Keys that only the simulator uses (registration state, recording) are snake_case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict

from yspbx.pbx.timefmt import parse_zone

_STRICT_KEYS = ConfigDict(extra="forbid")


def _checked_zone(name: str) -> str:
    parse_zone(name)  # refuse a zone the PBX could not print
    return name


SipTrunkType = Literal["register", "peer", "account"]
PagingDuplex = Literal["paging", "intercom", "multicast"]
MonitorMode = Literal["Disabled", "Extensive", "Listen", "Whisper", "Barge-in"]
ForwardTarget = Literal["Voicemail", "Extension", "Mobile Number", "Custom Number"]


@dataclass
class Device:
    """What ``deviceinfo/query`` reports, and the serial number every report carries."""

    __pydantic_config__ = _STRICT_KEYS

    devicename: str = "Yeastar S100"
    sn: str = "369300000001"
    hardwarever: str = "V1.30 0000-0000"
    firmwarever: str = "30.11.0.7"
    timezone: Annotated[str, AfterValidator(_checked_zone)] = "UTC+0"
    max_extensions: int = 100
    # The model's capacity: adding past it answers the PBX's "limit reached" errno.
    max_sip_trunks: int = 30
    max_inroutes: int = 100
    max_outroutes: int = 100


@dataclass
class Extension:
    __pydantic_config__ = _STRICT_KEYS

    number: str
    username: str = ""
    type: Literal["SIP", "FXS"] = "SIP"
    port: str = ""
    callerid: str = ""
    registername: str = ""
    registerpassword: str = ""
    maxregistrations: int = 1
    loginpassword: str = ""
    email: str = ""
    mobile: str = ""
    language: str = "System Default"
    hasvoicemail: bool = True
    vmsecret: str = ""
    enablevmtoemail: bool = False
    alwaysforward: bool = False
    atransferto: ForwardTarget = "Voicemail"
    atransferext: str = ""
    atransferprefix: str = ""
    atransfernum: str = ""
    noanswerforward: bool = True
    ntransferto: ForwardTarget = "Voicemail"
    ntransferext: str = ""
    ntransferprefix: str = ""
    ntransfernum: str = ""
    busyforward: bool = True
    btransferto: ForwardTarget = "Voicemail"
    btransferext: str = ""
    btransferprefix: str = ""
    btransfernum: str = ""
    enablemobile: bool = False
    ringsimultaneous: bool = False
    mobileprefix: str = ""
    allowbeingmonitored: bool = False
    monitormode: MonitorMode = "Disabled"
    ringtimeout: int = 30
    maxduration: str = "Follow System"
    dnd: bool = False
    callrestriction: bool = False
    agentid: str = ""
    # Simulator-side state and switches.
    registered: bool = True
    status_monitor: bool = True
    record: bool = False


@dataclass
class ExtensionGroup:
    """A named set of extensions, referred to by outbound routes, DODs and paging groups."""

    __pydantic_config__ = _STRICT_KEYS

    name: str
    members: list[str] = field(default_factory=list)


@dataclass
class Trunk:
    __pydantic_config__ = _STRICT_KEYS

    name: str
    type: Literal["SIP", "IAX", "FXO", "BRI", "E1", "T1", "J1", "GSM", "CDMA", "UMTS", "LTE"] = (
        "SIP"
    )
    id: int = 0
    status: str = ""
    hwport: str = ""
    trunktype: SipTrunkType = "register"
    host: str = ""
    port: str = "5060"
    domain: str = ""
    username: str = ""
    authname: str = ""
    fromuser: str = ""
    password: str = ""
    extensionsdod: str = ""
    extensionsgroupdod: str = ""
    did: str = ""
    inbound_answer_control: bool = False
    inbound_destination_control: bool = False
    status_monitor: bool = True
    record: bool = False


InboundDestType = Literal[
    "hangup",
    "extension",
    "extrange",
    "voicemail",
    "ivr",
    "ringgroup",
    "queue",
    "conference",
    "disa",
    "callback",
    "outroute",
    "faxtoemail",
]


@dataclass
class InboundRoute:
    __pydantic_config__ = _STRICT_KEYS

    name: str
    trunks: list[str]
    desttype: InboundDestType
    dest: str = ""
    id: int = 0
    did: str = ""
    caller_id: str = ""


@dataclass
class OutboundRoute:
    __pydantic_config__ = _STRICT_KEYS

    name: str
    prefix: str
    trunks: list[str]
    extensions: list[str] = field(default_factory=list)
    id: int = 0
    strip: int = 0
    prepend: str = ""
    extensionsgroup: list[str] = field(default_factory=list)


@dataclass
class Ivr:
    """An IVR; ``keys`` maps a DTMF key to a destination number (or ``hangup``)."""

    __pydantic_config__ = _STRICT_KEYS

    number: str
    name: str = ""
    prompt: str = "[Default]"
    promptrepeat: int = 3
    responsetimeout: int = 3
    digittimeout: int = 3
    dialext: bool = True
    dialoutboundroutes: bool = False
    selectedrouters: str = ""
    dialtocheckvoicemail: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    timeout_dest: str = "hangup"


@dataclass
class Queue:
    __pydantic_config__ = _STRICT_KEYS

    number: str
    name: str = ""
    password: str = ""
    ringstrategy: str = "Ring All"
    failoveraction: str = "Hang up"
    failoverdest: str = ""
    agents: list[str] = field(default_factory=list)
    agenttimeout: int = 30
    agentannounce: str = "[None]"
    wrapuptime: int = 30
    ringinuse: bool = True
    retry: int = 30
    musiconhold: str = "[None]"
    maxwaittime: int = 1800
    joinempty: bool = False
    leavewhenempty: bool = True
    joinannounce: str = "[None]"
    announcepos: bool = True
    announcefreq: int = 30
    announceholdtime: bool = True
    userannounce: str = "[None]"
    userannouncefreq: int = 30
    breakoutkey: str = "None"
    breakoutaction: str = ""
    breakoutdest: str = ""
    idannouncement: str = "None"
    satisfactionsurvey: str = "None"


@dataclass
class RingGroup:
    __pydantic_config__ = _STRICT_KEYS

    number: str
    name: str = ""
    strategy: Literal["ringall", "sequential"] = "ringall"
    members: list[str] = field(default_factory=list)
    ringtimeout: int = 30
    failover_dest: str = "hangup"


@dataclass
class PagingGroup:
    __pydantic_config__ = _STRICT_KEYS

    number: str
    name: str = ""
    id: int = 0
    duplex: PagingDuplex = "paging"
    allowexten: list[str] = field(default_factory=list)
    allowextengroup: list[str] = field(default_factory=list)
    enablekeyhanup: bool = False
    multicastip: str = ""


ConferencePrompt = Literal["default", "exten", "none"]


@dataclass
class Conference:
    """A conference room: callers join by dialling its number (2.0.0 ``conference/*``).

    ``participantepassword`` keeps the vendor's spelling. Yes/no settings are booleans here and
    ``yes``/``no`` on the wire; ``moderators`` are extension numbers.
    """

    __pydantic_config__ = _STRICT_KEYS

    number: str
    name: str = ""
    participantepassword: str = ""
    moderatorpassword: str = ""
    waitformoderator: bool = False
    allowinvite: bool = True
    moderators: list[str] = field(default_factory=list)
    musiconhold: bool = False
    mute: bool = False
    prompt: ConferencePrompt = "default"


CdrStatus = Literal["ANSWERED", "NO ANSWER", "FAILED", "BUSY", "VOICEMAIL"]
CdrType = Literal["Inbound", "Outbound", "Internal", "Callback", "Transfer"]


@dataclass
class Cdr:
    """One call detail record, as ``NewCdr`` reports it and ``cdr/download`` exports it.

    ``timestart`` is ``YYYY-MM-DD hh:mm:ss`` in the PBX's time zone; ``started_at`` is the same
    instant as epoch seconds, for range queries. Empty strings mean "not applicable".
    """

    callid: str
    started_at: float
    timestart: str
    callfrom: str
    callto: str
    call_duration: int
    talk_duration: int
    status: CdrStatus
    type: CdrType
    srctrunkname: str = ""
    desttrunkname: str = ""
    pincode: str = ""
    recording: str = ""
    didnumber: str = ""
    agentringtime: str = ""
    cdrid: str = ""
