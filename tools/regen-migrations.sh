#!/usr/bin/env bash
# Until the first release, the schema has one "Initial" migration per provider, regenerated from the model.
# Run after changing any entity or configuration. (After the first release: add migrations, never regenerate.)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
rm -rf src/Otklik.Web/Data/Migrations
if dotnet build src/Otklik.Web -v q -nologo | grep -E ": (error|warning) "; then exit 1; fi
dotnet ef migrations add Initial -p src/Otklik.Web -c SqliteOtklikDb -o Data/Migrations/Sqlite --no-build
dotnet ef migrations add Initial -p src/Otklik.Web -c PostgresOtklikDb -o Data/Migrations/Postgres --no-build
