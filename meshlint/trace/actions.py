"""What a chosen HTTP rule does besides routing: redirects and direct responses (the
proxy answers itself), fault injection, rewrites (what the destination then sees), and
mirrors (a copy whose answer is dropped: never the destination)
(https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute)."""

from __future__ import annotations

from meshlint.mesh.services import as_int
from meshlint.model import Resource, as_list
from meshlint.trace.result import ALLOW, DENY, Trace


class RouteActions:
    """The rule's actions, for :class:`~meshlint.trace.engine.Tracer`."""

    result: Trace
    path: str
    authority: str

    def _http_actions(self, vs: Resource, rule: dict, base: tuple) -> bool:
        """Redirects, direct responses, faults and rewrites; True when the proxy answers
        the request itself."""
        result = self.result
        redirect = rule.get("redirect")
        if isinstance(redirect, dict):
            where = " ".join(f"{k}={v}" for k, v in redirect.items())
            result.step("action", f"redirect ({where})", vs, (*base, "redirect"))
            result.decide(ALLOW, "the proxy answers with a redirect", "redirect")
            return True
        direct = rule.get("directResponse")
        if isinstance(direct, dict):
            status = as_int(direct.get("status"))
            result.step("action", f"direct response {status}", vs, (*base, "directResponse"))
            decision = ALLOW if status is not None and status < 400 else DENY
            result.decide(
                decision, f"the proxy answers {status} itself", f"direct response {status}"
            )
            return True
        fault = rule.get("fault")
        abort = fault.get("abort") if isinstance(fault, dict) else None
        if isinstance(abort, dict):
            share = (
                (abort.get("percentage") or {}).get("value", 100)
                if isinstance(abort.get("percentage"), dict)
                else 100
            )
            status = abort.get("httpStatus", abort.get("grpcStatus"))
            path = (*base, "fault", "abort")
            if isinstance(share, (int, float)) and share >= 100:
                result.step(
                    "action", f"fault injection aborts every request with {status}", vs, path
                )
                result.decide(DENY, f"fault injection aborts it with {status}", f"abort {status}")
                return True
            result.doubt(
                "action", f"fault injection aborts {share}% of requests with {status}", vs, path
            )
        delay = fault.get("delay") if isinstance(fault, dict) else None
        if isinstance(delay, dict):
            result.step(
                "action",
                f"fault injection delays requests ({delay.get('fixedDelay')})",
                vs,
                (*base, "fault", "delay"),
            )
        rewrite = rule.get("rewrite")
        if isinstance(rewrite, dict):
            self._rewrite(vs, rule, rewrite, base)
        return False

    def _rewrite(self, vs: Resource, rule: dict, rewrite: dict, base: tuple) -> None:
        choice = self.result.route.innermost
        uri = rewrite.get("uri")
        if isinstance(uri, str):
            matched = None
            if choice.match is not None:
                matches = as_list(rule.get("match"))
                spec = (
                    matches[choice.match].get("uri")
                    if isinstance(matches[choice.match], dict)
                    else None
                )
                matched = spec.get("prefix") if isinstance(spec, dict) else None
            if isinstance(matched, str) and self.path.startswith(matched):
                self.path = uri + self.path[len(matched) :]
            else:
                self.path = uri
        authority = rewrite.get("authority")
        if isinstance(authority, str) and authority:
            self.authority = authority
        self.result.step(
            "action",
            f"rewrite: the destination sees path {self.path}, host {self.authority}",
            vs,
            (*base, "rewrite"),
        )

    def _mirrors(self, vs: Resource, rule: dict, base: tuple) -> None:
        blocks = []
        if isinstance(rule.get("mirror"), dict):
            blocks.append((rule["mirror"], (*base, "mirror")))
        for k, item in enumerate(as_list(rule.get("mirrors"))):
            if isinstance(item, dict) and isinstance(item.get("destination"), dict):
                blocks.append((item["destination"], (*base, "mirrors", k, "destination")))
        for block, path in blocks:
            host = self.mesh.fqdn(str(block.get("host", "")), vs.namespace)
            subset = f" subset {block['subset']}" if block.get("subset") else ""
            self.result.step(
                "mirror", f"a copy goes to {host}{subset} (mirror: its answer is dropped)", vs, path
            )

    # -- destinations ------------------------------------------------------------------
