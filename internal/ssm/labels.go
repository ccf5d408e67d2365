package ssm

import (
	"context"
	"slices"
)

// LabelInput is Label- and UnlabelParameterVersion's input.
type LabelInput struct {
	Name             string
	ParameterVersion *int64
	Labels           []string
}

func (i *LabelInput) paramName() string { return i.Name }

// LabelParameterVersionOutput is LabelParameterVersion's answer.
type LabelParameterVersionOutput struct {
	InvalidLabels    []string
	ParameterVersion int64
}

// LabelParameterVersion attaches labels to a version (the latest by default), moving each from
// whichever version had it; labels that break the rules are returned, not attached.
func (s *Service) LabelParameterVersion(ctx context.Context, in *LabelInput) (*LabelParameterVersionOutput, error) {
	if len(in.Labels) == 0 || len(in.Labels) > 10 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value at 'labels' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	p, err := s.load(ctx, callerAccount(ctx), in.Name)
	if err != nil {
		return nil, err
	}
	v, err := s.versionOf(p, in)
	if err != nil {
		return nil, err
	}
	out := &LabelParameterVersionOutput{InvalidLabels: []string{}, ParameterVersion: v.Version}
	for _, l := range in.Labels {
		if !validLabel(l) {
			out.InvalidLabels = append(out.InvalidLabels, l)
			continue
		}
		for i := range p.doc.Versions {
			p.doc.Versions[i].Labels = slices.DeleteFunc(p.doc.Versions[i].Labels, func(x string) bool { return x == l })
		}
		v.Labels = append(v.Labels, l)
	}
	if len(v.Labels) > 10 {
		return nil, ErrLabelLimitExceeded.Errorf("An error occurred (ParameterVersionLabelLimitExceeded) when calling the LabelParameterVersion operation: A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.")
	}
	return out, s.save(ctx, p)
}

// versionOf finds the version a label request names.
func (s *Service) versionOf(p *param, in *LabelInput) (*version, error) {
	if in.ParameterVersion == nil {
		return p.doc.latest(), nil
	}
	return pick(p, selector{name: p.doc.Name, version: *in.ParameterVersion})
}

// UnlabelParameterVersionOutput is UnlabelParameterVersion's answer.
type UnlabelParameterVersionOutput struct {
	RemovedLabels []string
	InvalidLabels []string
}

// UnlabelParameterVersion removes labels from a version.
func (s *Service) UnlabelParameterVersion(ctx context.Context, in *LabelInput) (*UnlabelParameterVersionOutput, error) {
	if in.ParameterVersion == nil {
		return nil, ErrValidation.Errorf("1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null")
	}
	p, err := s.load(ctx, callerAccount(ctx), in.Name)
	if err != nil {
		return nil, err
	}
	v, err := s.versionOf(p, in)
	if err != nil {
		return nil, err
	}
	out := &UnlabelParameterVersionOutput{RemovedLabels: []string{}, InvalidLabels: []string{}}
	for _, l := range in.Labels {
		if i := slices.Index(v.Labels, l); i >= 0 {
			v.Labels = slices.Delete(v.Labels, i, i+1)
			out.RemovedLabels = append(out.RemovedLabels, l)
		} else {
			out.InvalidLabels = append(out.InvalidLabels, l)
		}
	}
	return out, s.save(ctx, p)
}
