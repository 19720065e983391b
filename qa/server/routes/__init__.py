"""The server's routes, one router a file, included in the order their paths stand in the OpenAPI schema. A route
function's name is its operation's id and its docstring would be its description in that schema, so the names stay
as clients know them and the why of a route is a comment above it."""
