package cloudformation

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/cloudformation/template"
)

// provider makes one resource type through its service's operations.
type provider struct {
	// props are the properties gureum supports; any other is refused before anything is made.
	props []string
	// replace lists the properties whose change replaces the resource ("*": all of them).
	replace []string
	// name is the property that names the resource, if any (a custom name blocks replacement).
	name   string
	create func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error
	// update changes the resource in place; nil: every change replaces it.
	update func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error
	delete func(ctx context.Context, x *exec, r *resourceState) error
	// anyProps accepts every property (custom resources pass theirs on).
	anyProps bool
}

func (p *provider) accepts(k string) bool {
	if p.anyProps {
		return true
	}
	for _, x := range p.props {
		if x == k {
			return true
		}
	}
	return false
}

// replaces reports whether changing old into props replaces the resource.
func (p *provider) replaces(old, props map[string]any) bool {
	for _, k := range p.replace {
		if k == "*" {
			return true
		}
		if !reflect.DeepEqual(normal(old[k]), normal(props[k])) {
			return true
		}
	}
	return false
}

// providers is every resource type gureum makes, by type.
var providers = map[string]*provider{}

func providerFor(typ string) *provider {
	if strings.HasPrefix(typ, "Custom::") && len(typ) > len("Custom::") {
		return providers[customType]
	}
	return providers[typ]
}

// SupportedTypes lists the resource types gureum makes.
func SupportedTypes() []string { return sortedKeysP(providers) }

func sortedKeysP(m map[string]*provider) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// str reads a string property ("" when absent); numbers and booleans are given as text.
func str(props map[string]any, k string) string {
	s, _ := template.String(props[k])
	return s
}

// num reads an integer property.
func num(props map[string]any, k string) (int64, bool, error) {
	v, ok := props[k]
	if !ok {
		return 0, false, nil
	}
	s, _ := template.String(v)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, true, fmt.Errorf("Property %s: %q is not an integer", k, s)
	}
	return n, true, nil
}

// tagList turns CloudFormation's [{Key, Value}] into the list form.
func tagList(props map[string]any) []map[string]any {
	l, _ := props["Tags"].([]any)
	var out []map[string]any
	for _, t := range l {
		m, _ := t.(map[string]any)
		if m != nil {
			out = append(out, map[string]any{"Key": str(m, "Key"), "Value": str(m, "Value")})
		}
	}
	return out
}

// tagMap turns CloudFormation's [{Key, Value}] into a map.
func tagMap(props map[string]any) map[string]string {
	out := map[string]string{}
	for _, t := range tagList(props) {
		out[t["Key"].(string)] = t["Value"].(string)
	}
	return out
}

// stringsOf reads a list of strings.
func stringsOf(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := template.String(x)
		out = append(out, s)
	}
	return out
}

// jsonText is a document property as JSON text (policies are objects in templates).
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return template.JSON(v)
}

func sortStrings(s []string) { sort.Strings(s) }
