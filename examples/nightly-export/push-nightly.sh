#!/usr/bin/env bash
# Pushes the CRM's nightly export to every vendor of the config file. Run it from the folder that
# holds the export and the config (the crontab line in README.md does `cd` first).
#
#   ./push-nightly.sh [export.csv]
#
# CONTACT_SYNC_BIN     the command line to run (default: `npx contact-sync`, this project's own)
# CONTACT_SYNC_CONFIG  the config file (default: contact-sync.config.json)
# CONTACT_SYNC_STATE   where the links and the rejected rows go (default: .contact-sync)
#
# Exit status is the CLI's: 0 every row synced, 1 some rows failed (they are in the rejects file,
# ready to fix and push again), 2 a usage, config or input error (nothing sent).
set -euo pipefail

export_file="${1:-crm-export.csv}"
config="${CONTACT_SYNC_CONFIG:-contact-sync.config.json}"
state="${CONTACT_SYNC_STATE:-.contact-sync}"
read -r -a bin <<<"${CONTACT_SYNC_BIN:-npx contact-sync}"

mkdir -p "$state"
# The links file makes tonight's run update the contacts yesterday's created; one rejects file per
# night, so a failed row stays at hand until someone looks at it.
exec "${bin[@]}" push "$export_file" \
  --config "$config" \
  --links "$state/links.jsonl" \
  --rejects "$state/rejects-$(date +%F).csv"
