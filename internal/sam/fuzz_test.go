package sam_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gureum/gureum/internal/cloudformation/template"
	"github.com/gureum/gureum/internal/sam"
)

// FuzzTransform: any template the parser reads is expanded or refused, never a panic.
func FuzzTransform(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		b, _ := os.ReadFile(file)
		f.Add(string(b))
	}
	f.Add("Resources: {F: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: Api, Properties: {Path: /, Method: any}}}}}}")
	f.Add("Globals: {Function: {Tags: 1}}\nResources: {F: {Type: AWS::Serverless::Function, Properties: {InlineCode: x, Tags: {a: b}}}}")
	f.Fuzz(func(t *testing.T, body string) {
		tpl, err := template.Parse(body)
		if err != nil {
			return
		}
		_, _ = sam.Transform(tpl, map[string]any{"P": "v"})
	})
}
