package ssm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gureum/gureum/internal/store"
)

// page reads MaxResults (1–max, default max) and a NextToken (a base64 name or offset).
func page(maxResults *int32, max int, token string) (int, string, error) {
	n := max
	if maxResults != nil {
		if *maxResults < 1 || int(*maxResults) > max {
			return 0, "", ErrValidation.Errorf("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", *maxResults, max)
		}
		n = int(*maxResults)
	}
	if token == "" {
		return n, "", nil
	}
	after, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(after) == 0 {
		return 0, "", ErrInvalidNextToken.Errorf("The nextToken is not valid.")
	}
	return n, string(after), nil
}

func token(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// scan lists the caller's parameters after after, in name order, that keep returns true for,
// up to n; next is the token of the rest.
func (s *Service) scan(ctx context.Context, prefix, after string, n int, keep func(*param) (bool, error)) ([]*param, string, error) {
	account := callerAccount(ctx)
	recs, err := s.store.ListSecretRecords(ctx, store.KindSSMParam, account, prefix, after, 0)
	if err != nil {
		return nil, "", err
	}
	var out []*param
	for _, r := range recs {
		p := &param{account: account, rev: r.Rev}
		if json.Unmarshal(r.Doc, &p.doc) != nil {
			continue
		}
		ok, err := keep(p)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			continue
		}
		if len(out) == n {
			return out, token(out[n-1].doc.Name), nil
		}
		out = append(out, p)
	}
	return out, "", nil
}

// GetParametersByPathInput is GetParametersByPath's input.
type GetParametersByPathInput struct {
	Path             string
	Recursive        bool
	ParameterFilters []ParameterStringFilter
	WithDecryption   bool
	MaxResults       *int32
	NextToken        string
}

// GetParametersByPathOutput is GetParametersByPath's answer.
type GetParametersByPathOutput struct {
	Parameters []Parameter
	NextToken  string `json:",omitempty"`
}

// GetParametersByPath lists the parameters under a path: one level below it, or every level
// with Recursive.
func (s *Service) GetParametersByPath(ctx context.Context, in *GetParametersByPathInput) (*GetParametersByPathOutput, error) {
	if !strings.HasPrefix(in.Path, "/") || strings.Count(in.Path, "/") > maxLevels || !nameChars.MatchString(in.Path) {
		return nil, ErrValidation.Errorf("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\".")
	}
	for _, f := range in.ParameterFilters {
		if f.Key != "Type" && f.Key != "KeyId" && f.Key != "Label" && !strings.HasPrefix(f.Key, "tag:") {
			return nil, ErrInvalidFilterKey.Errorf("The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId, Label].", f.Key)
		}
	}
	n, after, err := page(in.MaxResults, 10, in.NextToken)
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(in.Path, "/") + "/"
	ps, next, err := s.scan(ctx, prefix, after, n, func(p *param) (bool, error) {
		rest := strings.TrimPrefix(p.doc.Name, prefix)
		if !in.Recursive && strings.Contains(rest, "/") {
			return false, nil
		}
		return matchAll(p, in.ParameterFilters)
	})
	if err != nil {
		return nil, err
	}
	out := &GetParametersByPathOutput{Parameters: []Parameter{}, NextToken: next}
	for _, p := range ps {
		r, err := s.render(ctx, p, p.doc.latest(), "", in.WithDecryption)
		if err != nil {
			return nil, err
		}
		out.Parameters = append(out.Parameters, *r)
	}
	return out, nil
}

// ParametersFilter is DescribeParameters' legacy filter.
type ParametersFilter struct {
	Key    string
	Values []string
}

// DescribeParametersInput is DescribeParameters' input.
type DescribeParametersInput struct {
	Filters          []ParametersFilter
	ParameterFilters []ParameterStringFilter
	MaxResults       *int32
	NextToken        string
	Shared           bool
}

// DescribeParametersOutput is DescribeParameters' answer.
type DescribeParametersOutput struct {
	Parameters []ParameterMetadata
	NextToken  string `json:",omitempty"`
}

// DescribeParameters lists parameters' metadata, filtered.
func (s *Service) DescribeParameters(ctx context.Context, in *DescribeParametersInput) (*DescribeParametersOutput, error) {
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, ErrValidation.Errorf("You can use either Filters or ParameterFilters in a single request.")
	}
	filters := in.ParameterFilters
	for _, f := range in.Filters {
		filters = append(filters, ParameterStringFilter{Key: f.Key, Option: "Equals", Values: f.Values})
	}
	if err := checkFilters(filters); err != nil {
		return nil, err
	}
	n, after, err := page(in.MaxResults, 50, in.NextToken)
	if err != nil {
		return nil, err
	}
	ps, next, err := s.scan(ctx, "", after, n, func(p *param) (bool, error) { return matchAll(p, filters) })
	if err != nil {
		return nil, err
	}
	out := &DescribeParametersOutput{Parameters: []ParameterMetadata{}, NextToken: next}
	for _, p := range ps {
		v := p.doc.latest()
		out.Parameters = append(out.Parameters, ParameterMetadata{Name: p.doc.Name, ARN: s.arn(p.account, p.doc.Name), Type: v.Type, KeyId: v.KeyId,
			LastModifiedDate: Time{v.Modified}, LastModifiedUser: v.ModifiedBy, Description: v.Description, AllowedPattern: v.AllowedPattern,
			Version: v.Version, Tier: v.Tier, Policies: policies(v), DataType: v.DataType})
	}
	return out, nil
}

func policies(v *version) []ParameterInlinePolicy {
	if v.Policies == nil {
		return []ParameterInlinePolicy{}
	}
	return v.Policies
}

// checkFilters refuses unknown keys and options.
func checkFilters(fs []ParameterStringFilter) error {
	for _, f := range fs {
		switch {
		case f.Key == "Name" || f.Key == "Type" || f.Key == "KeyId" || f.Key == "Path" || f.Key == "Tier" || f.Key == "DataType" || f.Key == "Label":
		case strings.HasPrefix(f.Key, "tag:") && len(f.Key) > 4:
		default:
			return ErrInvalidFilterKey.Errorf("The following filter key is not valid: %s.", f.Key)
		}
		opts := map[string]bool{"": true, "Equals": true, "BeginsWith": f.Key != "Type" && f.Key != "Path", "Contains": f.Key == "Name" || strings.HasPrefix(f.Key, "tag:"),
			"Recursive": f.Key == "Path", "OneLevel": f.Key == "Path"}
		if f.Key == "Path" {
			opts["Equals"], opts[""] = false, true
		}
		if !opts[f.Option] {
			return ErrInvalidFilterOption.Errorf("The following filter option is not valid: %s. Valid options include: [Equals, BeginsWith, Contains].", f.Option)
		}
		if len(f.Values) == 0 && !strings.HasPrefix(f.Key, "tag:") {
			return ErrInvalidFilterValue.Errorf("The following filter values are missing : null for filter key %s.", f.Key)
		}
	}
	return nil
}

// matchAll reports whether a parameter's latest version passes every filter.
func matchAll(p *param, fs []ParameterStringFilter) (bool, error) {
	v := p.doc.latest()
	for _, f := range fs {
		var have []string
		switch {
		case f.Key == "Name":
			have = []string{p.doc.Name, strings.TrimPrefix(p.doc.Name, "/")}
		case f.Key == "Type":
			have = []string{v.Type}
		case f.Key == "KeyId":
			have = []string{v.KeyId}
		case f.Key == "Tier":
			have = []string{v.Tier}
		case f.Key == "DataType":
			have = []string{v.DataType}
		case f.Key == "Label":
			for _, x := range p.doc.Versions {
				have = append(have, x.Labels...)
			}
		case f.Key == "Path":
			if !pathMatch(p.doc.Name, f) {
				return false, nil
			}
			continue
		case strings.HasPrefix(f.Key, "tag:"):
			for _, t := range p.doc.Tags {
				if t.Key == f.Key[4:] {
					have = append(have, t.Value)
				}
			}
			if len(f.Values) == 0 && len(have) > 0 {
				continue
			}
		}
		if !anyMatch(have, f.Option, f.Values) {
			return false, nil
		}
	}
	return true, nil
}

func anyMatch(have []string, option string, values []string) bool {
	for _, h := range have {
		for _, want := range values {
			switch option {
			case "BeginsWith":
				if strings.HasPrefix(h, want) {
					return true
				}
			case "Contains":
				if strings.Contains(h, want) {
					return true
				}
			default:
				if h == want {
					return true
				}
			}
		}
	}
	return false
}

// pathMatch applies a Path filter: names one level (OneLevel, the default) or any level
// (Recursive) below one of the paths.
func pathMatch(name string, f ParameterStringFilter) bool {
	for _, path := range f.Values {
		prefix := strings.TrimSuffix(path, "/") + "/"
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		if f.Option == "Recursive" || !strings.Contains(name[len(prefix):], "/") {
			return true
		}
	}
	return false
}

// GetParameterHistoryInput is GetParameterHistory's input.
type GetParameterHistoryInput struct {
	Name           string
	WithDecryption bool
	MaxResults     *int32
	NextToken      string
}

func (i *GetParameterHistoryInput) paramName() string { return i.Name }

// GetParameterHistoryOutput is GetParameterHistory's answer.
type GetParameterHistoryOutput struct {
	Parameters []ParameterHistory
	NextToken  string `json:",omitempty"`
}

// GetParameterHistory lists a parameter's versions, oldest first.
func (s *Service) GetParameterHistory(ctx context.Context, in *GetParameterHistoryInput) (*GetParameterHistoryOutput, error) {
	n, after, err := page(in.MaxResults, 50, in.NextToken)
	if err != nil {
		return nil, err
	}
	start := 0
	if after != "" {
		if start, err = strconv.Atoi(after); err != nil || start < 0 {
			return nil, ErrInvalidNextToken.Errorf("The nextToken is not valid.")
		}
	}
	p, err := s.load(ctx, callerAccount(ctx), in.Name)
	if err != nil {
		return nil, err
	}
	out := &GetParameterHistoryOutput{Parameters: []ParameterHistory{}}
	for i := start; i < len(p.doc.Versions); i++ {
		if len(out.Parameters) == n {
			out.NextToken = token(strconv.Itoa(i))
			break
		}
		v := &p.doc.Versions[i]
		val, err := s.value(ctx, p, v, in.WithDecryption)
		if err != nil {
			return nil, err
		}
		labels := v.Labels
		if labels == nil {
			labels = []string{}
		}
		out.Parameters = append(out.Parameters, ParameterHistory{Name: p.doc.Name, Type: v.Type, KeyId: v.KeyId, LastModifiedDate: Time{v.Modified},
			LastModifiedUser: v.ModifiedBy, Description: v.Description, Value: val, AllowedPattern: v.AllowedPattern, Version: v.Version,
			Labels: labels, Tier: v.Tier, Policies: policies(v), DataType: v.DataType})
	}
	return out, nil
}
