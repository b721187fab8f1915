"""IP address forms recognised with vectorised regular expressions, for validation
(``ingest.validate.canonical_ips``) and the network-prefix feature
(``features.network_prefix``): both handle these without parsing, and leave the rest
(compressed IPv6, oddities) to :mod:`ipaddress`."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#: A dotted quad in canonical form: no leading zeros, each part 0..255.
_CANONICAL_IPV4 = rf"^(?:{_OCTET}\.){{3}}{_OCTET}$"
#: An IPv6 address written out in eight groups (lower-case hex, no leading zeros) is in
#: canonical form unless two groups in a row are zero (those would be written ``::``).
_HEXTET = "(?:[1-9a-f][0-9a-f]{0,3}|0)"
_EIGHT_GROUP_IPV6 = rf"^{_HEXTET}(?::{_HEXTET}){{7}}$"
_ZERO_RUN = "(?:^|:)0:0(?::|$)"


def canonical_forms(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Per value: (a canonical dotted quad, a canonical eight-group IPv6 address);
    False for null."""
    quad = pc.fill_null(pc.match_substring_regex(text, pattern=_CANONICAL_IPV4), False)
    eight = pc.fill_null(pc.and_(
        pc.match_substring_regex(text, pattern=_EIGHT_GROUP_IPV6),
        pc.invert(pc.match_substring_regex(text, pattern=_ZERO_RUN)),
    ), False)  # fmt: skip
    return quad, eight
