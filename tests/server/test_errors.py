"""The error mapping alone: each exception a request can end in, its status, its headers and its one JSON shape."""

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from qa.errors import IndexStateError, InputError, ModelError
from qa.server.errors import Busy, Cancelled, Stopping, TooLarge, add_handlers, validation_message

pytestmark = pytest.mark.unit

RAISED = [  # (exception, status, message, headers it must carry)
    (InputError("the question is empty"), 400, "the question is empty", {}),
    (IndexStateError("no index at idx"), 400, "no index at idx", {}),
    (ModelError("no such file: x.gguf"), 400, "no such file: x.gguf", {}),
    (Busy(), 503, "the model is busy with other requests; try again shortly", {"retry-after": "5"}),
    (TooLarge("big.md is larger than 20 MB"), 413, "big.md is larger than 20 MB", {}),
    (Stopping(), 503, "the server is stopping", {}),
    (Cancelled(), 499, "the client went away", {}),
    (HTTPException(418, "short and stout", headers={"X-Pot": "tea"}), 418, "short and stout", {"x-pot": "tea"}),
]


def client_raising(exc: Exception) -> TestClient:
    app = FastAPI()
    add_handlers(app)

    @app.get("/raise")
    async def raising():
        raise exc

    @app.get("/count")
    async def count(k: int):
        return k

    return TestClient(app)


@pytest.mark.parametrize("exc, status, message, headers", RAISED, ids=[type(r[0]).__name__ for r in RAISED])
def test_each_exception_is_its_status_and_message(exc, status, message, headers):
    response = client_raising(exc).get("/raise")
    assert response.status_code == status and response.json() == {"error": {"message": message}}
    assert headers.items() <= response.headers.items()


def test_fastapis_own_errors_take_the_same_shape():
    client = client_raising(Busy())
    assert client.get("/nowhere").json() == {"error": {"message": "Not Found"}}
    assert client.post("/raise").status_code == 405
    invalid = client.get("/count", params={"k": "many"})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["message"].startswith("invalid request: query.k: Input should be a valid integer")


def test_a_validation_message_is_one_line_of_at_most_three_errors():
    errors = [{"loc": ("body", "messages", 0, "role"), "msg": "bad role"}, {"loc": ("body",), "msg": "not JSON"},
              {"loc": ("query", "k"), "msg": "too big"}, {"loc": ("body", "x"), "msg": "never shown"}]
    assert validation_message(RequestValidationError(errors)) == \
        "invalid request: messages.0.role: bad role; body: not JSON; query.k: too big"
