"""RequestAuthentication JWT rules: what Istio rejects or warns about."""

import json

from meshlint.engine.finding import Severity
from meshlint.rulebases.semantic import REJECTED, WARNED, SemanticRule
from meshlint.validation.values import text
from meshlint.validation.walk import spec_items

#: JWK members that only private (or symmetric) keys carry.
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")


def parse_jwks(document: str) -> list[dict] | None:
    """The keys of an inline JWKS (or single JWK), or None when it does not parse."""
    try:
        data = json.loads(document)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("keys"), list):
        keys = data["keys"]
    elif isinstance(data, dict) and "kty" in data:
        keys = [data]
    else:
        return None
    if all(isinstance(k, dict) and isinstance(k.get("kty"), str) for k in keys):
        return keys
    return None


def jwt_rules(resource):
    return spec_items(resource, "jwtRules")


class ReqAuthJWTRuleInvalid(SemanticRule):
    """A JWT rule has neither issuer nor JWKS URI, or an inline JWKS that does not parse.

    ## What it does
    Checks each `jwtRules` entry of a RequestAuthentication: it sets `issuer` or
    `jwksUri`, and an inline `jwks` is a JSON Web Key Set (`{"keys": [...]}`) or a single
    JSON Web Key, each key with a `kty`.

    ## Why it matters
    The webhook rejects the resource, so tokens are not validated as intended.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
    spec:
      jwtRules:
      - issuer: https://auth.example.com
        jwks: "{'keys': []}"  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
    spec:
      jwtRules:
      - issuer: https://auth.example.com
        jwksUri: https://auth.example.com/.well-known/jwks.json
    ```
    """

    id = "ML788"
    name = "reqauth-jwt-rule-invalid"
    severity = Severity.ERROR
    kinds = ("RequestAuthentication",)
    equivalents = REJECTED

    def issues(self, resource):
        for path, rule in jwt_rules(resource):
            if not any(text(rule.get(f)) for f in ("issuer", "jwksUri", "jwks_uri")):
                yield path, "a JWT rule needs an issuer or a jwksUri"
            jwks = rule.get("jwks")
            if isinstance(jwks, str) and jwks and parse_jwks(jwks) is None:
                yield (*path, "jwks"), "jwks is not a JSON Web Key Set or JSON Web Key"


class ReqAuthJWKSPrivateKey(SemanticRule):
    """An inline JWKS contains private key material.

    ## What it does
    Reports inline `jwks` keys carrying private or symmetric key members (`d`, `p`, `q`,
    `dp`, `dq`, `qi`, `k`). Token validation only needs the public part.

    ## Why it matters
    The private key is stored in plain text in the resource (and in every proxy's
    configuration): anyone who can read it can mint valid tokens.

    ## Example
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
    spec:
      jwtRules:
      - issuer: https://auth.example.com
        jwks: '{"keys": [{"kty": "EC", "x": "f83O", "y": "x_FE", "d": "jpsQ"}]}'  # <-
    ```

    ## Use instead
    ```yaml
    apiVersion: security.istio.io/v1
    kind: RequestAuthentication
    metadata:
      name: jwt
    spec:
      jwtRules:
      - issuer: https://auth.example.com
        jwks: '{"keys": [{"kty": "EC", "x": "f83O", "y": "x_FE"}]}'
    ```
    """

    id = "ML789"
    name = "reqauth-jwks-private-key"
    severity = Severity.WARNING
    kinds = ("RequestAuthentication",)
    equivalents = WARNED

    def issues(self, resource):
        for path, rule in jwt_rules(resource):
            jwks = rule.get("jwks")
            keys = parse_jwks(jwks) if isinstance(jwks, str) else None
            for key in keys or ():
                members = [m for m in PRIVATE_MEMBERS if m in key]
                if members:
                    yield (
                        (*path, "jwks"),
                        (
                            f"jwks includes private key material ({', '.join(members)}): publish "
                            "only public keys"
                        ),
                    )
                    break
