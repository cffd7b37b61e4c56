// Package bench holds concord's performance benchmarks, each half of a
// ratio measured in the same run: verify against a raw crypto/ed25519 loop
// over the same signatures, one append (a sign) on ledgers of about 100 and
// 20,000 entries, and 'concord status DOC' as a process against
// 'git log -1'. They run only with -bench, on ledgers built once by
// bench/gen into bench/.cache; bench/run.sh builds what is missing, runs
// them all and prints the targets table. See bench/README.md.
package bench
