package cmd

import (
	"strings"

	"github.com/spf13/cobra"
)

// examples holds the Examples section of every command's help, by command
// path without the leading "concord ". TestEveryCommandHasExamples keeps it
// complete.
var examples = map[string]string{
	"": `  concord demo ./concord-demo          # a demonstration ledger to try things on
  concord status --ledger ./concord-demo/ledger
  concord verify --ledger ./concord-demo/ledger`,
	"amend": `  concord amend almaty-consensus --text zh=zh.txt --text kk=kk.txt --text ru=ru.txt --text en=en.txt --as xjtu --key ~/.concord/xjtu
  concord amend almaty-consensus --text en=en.txt --drop ru --note "Russian text withdrawn" --as xjtu --key ~/.concord/xjtu`,
	"checkpoint": `  concord checkpoint --as kaznu --key ~/.concord/kaznu --output ~/checkpoints/2025-03-14.note
  concord verify --checkpoint ~/checkpoints/2025-03-14.note`,
	"clone": `  concord clone https://git.example.org/forum/ledger.git ./ledger
  concord clone /mnt/usb/ledger.git ./ledger --json`,
	"completion": `  concord completion bash > /etc/bash_completion.d/concord
  concord completion zsh > "${fpath[1]}/_concord"`,
	"completion bash": `  source <(concord completion bash)
  concord completion bash > /etc/bash_completion.d/concord`,
	"completion fish":       `  concord completion fish > ~/.config/fish/completions/concord.fish`,
	"completion powershell": `  concord completion powershell | Out-String | Invoke-Expression`,
	"completion zsh":        `  concord completion zsh > "${fpath[1]}/_concord"`,
	"demo": `  concord demo ./concord-demo
  concord status --ledger ./concord-demo/ledger`,
	"diff": `  concord diff almaty-consensus 1 2
  concord diff almaty-consensus 1 2 --json`,
	"doctor": `  concord doctor
  concord doctor --json | jq -r '.checks[] | select(.status != "ok") | .fix'`,
	"export": `  concord export pdf almaty-consensus --output almaty-consensus.pdf
  concord export audit-kit ./kit && sh ./kit/verify.sh`,
	"export audit-kit": `  concord export audit-kit ./kit
  sh ./kit/verify.sh`,
	"export pdf": `  concord export pdf almaty-consensus --output almaty-consensus.pdf
  concord export pdf almaty-consensus --version 1 --output v1.pdf
  concord export pdf --all --output-dir archive && (cd archive && sha256sum -c SHA256SUMS)`,
	"help": `  concord help sign
  concord sign --help`,
	"init": `  concord init --title "Forum ledger" --stewards stewards.json --threshold 2 --as xjtu --key ~/.concord/xjtu --ledger ./ledger`,
	"key": `  concord key new --output ~/.concord/xjtu
  concord key fingerprint ~/.concord/xjtu.pub`,
	"key fingerprint": `  concord key fingerprint ~/.concord/xjtu.pub
  concord key fingerprint ~/.ssh/id_ed25519 --json`,
	"key new": `  concord key new --output ~/.concord/xjtu --comment "Rector, XJTU"
  concord key new --output ci-key --passphrase-file pass.txt --json`,
	"key show": `  concord key show ~/.concord/xjtu > xjtu.pub`,
	"log": `  concord log
  concord log --json`,
	"man": `  concord man ./man && man ./man/concord.1`,
	"propose": `  concord propose almaty-consensus --title "Almaty Consensus" --text zh=zh.txt --text kk=kk.txt --text ru=ru.txt --text en=en.txt \
    --signers xjtu,kaznu,tsinghua --rule all --as xjtu --key ~/.concord/xjtu
  concord propose mou-2025 --title "MoU" --text en=mou.txt --signers a,b,c --rule quorum:2 --as a --key ~/.concord/a`,
	"roster": `  concord roster list
  concord roster approve 3f2a1b0c9d8e7f60 --as kaznu --key ~/.concord/kaznu`,
	"roster add": `  concord roster add nu --name "Rector Name" --title Rector --institution "Nazarbayev University" --country Kazakhstan \
    --pubkey nu.pub --as xjtu --key ~/.concord/xjtu`,
	"roster allowed-signers": `  concord roster allowed-signers > allowed_signers
  git -c gpg.ssh.allowedSignersFile=$PWD/allowed_signers verify-commit HEAD`,
	"roster approve": `  concord roster approve 3f2a1b0c9d8e7f60 --as kaznu --key ~/.concord/kaznu`,
	"roster list": `  concord roster list
  concord roster list --json`,
	"roster revoke": `  concord roster revoke nu --reason "left the forum" --as xjtu --key ~/.concord/xjtu`,
	"roster rotate": `  concord roster rotate nu --pubkey nu-2026.pub --reason "key lost" --as xjtu --key ~/.concord/xjtu`,
	"show": `  concord show almaty-consensus
  concord show almaty-consensus --version 1 --lang kk`,
	"sign": `  concord sign almaty-consensus --as xjtu --key ~/.concord/xjtu
  concord sign almaty-consensus --version 2 --as xjtu --key ~/.concord/xjtu.pub --agent
  concord sign almaty-consensus --as xjtu --key xjtu --passphrase-file pass.txt --yes --json`,
	"status": `  concord status
  concord status almaty-consensus --json`,
	"sync": `  concord sync
  concord sync --as xjtu --key ~/.concord/xjtu`,
	"verify": `  concord verify
  concord verify --since 1a2b3c4     # a head you kept: any 7 or more digits of it
  concord verify --checkpoint 2025-03-14.note --json`,
	"verify-pdf": `  concord verify-pdf almaty-consensus.pdf
  concord verify-pdf almaty-consensus.pdf --ledger ./ledger`,
	"withdraw": `  concord withdraw almaty-consensus --as xjtu --key ~/.concord/xjtu`,
	"witness":  `  concord witness --as kaznu --key ~/.concord/kaznu`,
}

// addExamples sets the Example of c and of every command below it from
// examples, where the command has none of its own.
func addExamples(c *cobra.Command) {
	key := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "concord"), " ")
	if c.Example == "" {
		c.Example = examples[key]
	}
	for _, sub := range c.Commands() {
		addExamples(sub)
	}
}
