// Package compat renders docs/compatibility.md from the services' operation tables: every
// operation of every service gureum serves, and whether it is implemented.
package compat

import (
	"fmt"
	"strings"

	"github.com/gureum/gureum/internal/service"
)

// Markdown renders the compatibility document.
func Markdown(services []*service.Service) string {
	var b strings.Builder
	b.WriteString("# AWS API compatibility\n\n")
	b.WriteString("Generated from the services' operation tables by `make docs` (`go test ./internal/compat -update`);\n")
	b.WriteString("a test fails when this file is out of date. Each table lists every operation of the service's current\n")
	b.WriteString("AWS API (checked against botocore's service model). \"not yet\" answers `NotImplemented` (HTTP 501).\n\n")
	b.WriteString("| Service | Protocol | Implemented |\n|---|---|---|\n")
	for _, s := range services {
		fmt.Fprintf(&b, "| %s | %s | %d of %d |\n", s.Name, s.Protocol, implemented(s), len(s.Operations))
	}
	for _, s := range services {
		fmt.Fprintf(&b, "\n## %s (API %s, %s)\n\n", s.Name, s.APIVersion, s.Protocol)
		b.WriteString("| Operation | IAM action | State |\n|---|---|---|\n")
		for _, op := range s.Operations {
			state := "not yet"
			if op.Implemented() {
				state = "implemented"
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", op.Name, op.Action, state)
		}
	}
	return b.String()
}

func implemented(s *service.Service) int {
	n := 0
	for _, op := range s.Operations {
		if op.Implemented() {
			n++
		}
	}
	return n
}
