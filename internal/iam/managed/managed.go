// Package managed holds the AWS managed policies gureum serves under arn:aws:iam::aws:policy/:
// the policies serverless users attach, with AWS's published documents (policies/*.json; the
// ReadOnlyAccess document holds AWS's entries for the services gureum serves and their neighbours,
// not its full list of every service's read actions).
package managed

import (
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed policies/*.json
var files embed.FS

// Policy is one AWS managed policy.
type Policy struct {
	Name     string
	ARN      string
	ID       string // ANPA… derived from the name, stable across servers
	Path     string
	Document string
	Version  string // the default version id
	Created  time.Time
}

// Prefix is where AWS managed policies live.
const Prefix = "arn:aws:iam::aws:policy"

var created = time.Date(2015, 2, 6, 18, 39, 46, 0, time.UTC)

// All returns every managed policy, by name.
func All() []Policy {
	entries, err := files.ReadDir("policies")
	if err != nil {
		panic(err) // embedded at build time
	}
	out := make([]Policy, 0, len(entries))
	for _, e := range entries {
		p, err := load(e.Name())
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func load(file string) (Policy, error) {
	b, err := files.ReadFile("policies/" + file)
	if err != nil {
		return Policy{}, err
	}
	var raw struct {
		Path     string
		Document json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Policy{}, fmt.Errorf("managed policy %s: %w", file, err)
	}
	name := strings.TrimSuffix(file, path.Ext(file))
	sum := sha256.Sum256([]byte(name))
	id := "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
	return Policy{Name: name, ARN: Prefix + raw.Path + name, ID: id, Path: raw.Path, Document: string(raw.Document), Version: "v1", Created: created}, nil
}

// Get returns the managed policy with an ARN.
func Get(arn string) (Policy, bool) {
	if !strings.HasPrefix(arn, Prefix+"/") {
		return Policy{}, false
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	p, err := load(name + ".json")
	if err != nil || p.ARN != arn {
		return Policy{}, false
	}
	return p, true
}
