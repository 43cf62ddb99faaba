"""Building a scenario's servers (its ``backend:`` section) on an :class:`Internet`."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import httpx

from harness._exceptions import DefinitionError, ScenarioError
from harness.app import import_user_module
from harness.backends import Backend, Internet, RestResource, SizedBody
from harness.scenario._schema import BackendSpec
from harness.scenario._yaml import shorten
from harness.sim import Simulation


def parse_url(url: str) -> httpx.URL:
    """``url`` parsed; a :class:`DefinitionError` naming it if httpx cannot parse it."""
    try:
        parsed = httpx.URL(url)
        parsed.netloc.decode("ascii")
    except Exception:  # InvalidURL, an IDNA or Unicode error
        raise DefinitionError(
            f"{shorten(repr(url))} is not a valid URL; write it like "
            "'https://api.example.com/items'"
        ) from None
    return parsed


@lru_cache(maxsize=256)  # pure, and asked again for the same URLs by every run and preflight
def origin_of(url: str) -> str:
    """``https://api.example.com/items?x=1`` -> ``https://api.example.com``."""
    parsed = parse_url(url)
    return f"{parsed.scheme}://{parsed.netloc.decode()}"


@lru_cache(maxsize=256)
def path_of(url: str) -> str:
    """The path and query of ``url`` (``/items?x=1``)."""
    parsed = parse_url(url)
    query = parsed.query.decode()
    return parsed.path + (f"?{query}" if query else "")


def build_servers(spec: BackendSpec, sim: Simulation, file: str) -> Internet:
    """An :class:`Internet` with every route, resource, auth and fault of ``spec``."""
    internet = Internet(sim, keep_bodies=spec.keep_bodies)
    for route in spec.routes:
        backend = internet.backend(origin_of(route.url))
        backend.route(
            route.method,
            path_of(route.url),
            status=route.status,
            json=route.json_body,
            text=route.text,
            headers=dict(route.headers),
            body=None
            if route.body_size is None
            else SizedBody(route.body_size, content_type=route.content_type),
        )
    for resource_spec in spec.resources:
        backend = internet.backend(origin_of(resource_spec.url))
        resource = backend.resource(
            parse_url(resource_spec.url).path,
            initial_items=resource_spec.initial_items,
            page_size=resource_spec.page_size,
        )
        if resource_spec.generate is not None:
            resource.generate(resource_spec.generate.every, resource_spec.generate.count)
    for auth in spec.auth:
        internet.backend(origin_of(auth.origin)).token_auth(
            auth.lifetime, token_path=auth.token_path
        )
    for position, fault in enumerate(spec.faults):
        if fault.origin is not None:
            targets = [internet.backend(origin_of(fault.origin))]
        else:
            targets = internet.backends
        if not targets:
            raise ScenarioError(
                "a fault needs a server: add routes or resources, or give 'origin'",
                file=file,
                field=f"backend.faults[{position}]",
            )
        for backend in targets:
            if fault.outage is not None:
                backend.outage(
                    fault.at,
                    fault.for_ms,
                    fault.outage.kind,
                    status=fault.outage.status,
                    delay=fault.outage.delay,
                    path=fault.path,
                )
            elif fault.rate_limit is not None:
                limit = fault.rate_limit
                backend.rate_limit(
                    limit.per_minute if limit.per_minute is not None else limit.limit or 1,
                    window=60_000 if limit.per_minute is not None else limit.window,
                    retry_after=limit.retry_after,
                    start=fault.at,
                    duration=fault.for_ms,
                    path=fault.path,
                )
    if spec.factory is not None:
        factory = _import_factory(spec.factory)
        try:
            factory(internet, sim)
        except DefinitionError:
            raise
        except Exception as error:
            raise DefinitionError(
                f"backend factory {spec.factory!r} raised {type(error).__name__}: "
                f"{shorten(str(error), 200)}; fix the factory"
            ) from None
    return internet


def _import_factory(path: str) -> Callable[[Internet, Simulation], Any]:
    module_name, _, name = path.partition(":")
    module = import_user_module(module_name, f"backend factory {path!r}")
    function = getattr(module, name, None)
    if not callable(function):
        raise DefinitionError(f"backend factory {path!r}: {module_name} has no function {name}")
    return function  # type: ignore[no-any-return]


def resource_at(internet: Internet, url: str) -> RestResource:
    """The resource served at ``url``; a clear error if there is none."""
    backend: Backend = internet.backend(origin_of(url))
    path = parse_url(url).path
    resource = backend.resources.get(path)
    if resource is None:
        known = ", ".join(backend.resources) or "none"
        raise ScenarioError(f"no resource at {url!r} (resources of {backend.origin}: {known})")
    return resource
