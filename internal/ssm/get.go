package ssm

import (
	"context"
	"errors"

	"github.com/gureum/gureum/internal/awserr"
)

func isCode(err error, c *awserr.Code) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code == c
}

// isNotFoundCode reports a peer's not-found error (KMS's NotFoundException).
func isNotFoundCode(err error) bool {
	var ae *awserr.Error
	return errors.As(err, &ae) && ae.Code != nil && ae.Code.Name == "NotFoundException"
}

// pick finds the version a selector names.
func pick(p *param, sel selector) (*version, error) {
	if sel.version == 0 && sel.label == "" {
		return p.doc.latest(), nil
	}
	for i := range p.doc.Versions {
		v := &p.doc.Versions[i]
		if sel.version != 0 && v.Version == sel.version {
			return v, nil
		}
		for _, l := range v.Labels {
			if sel.label != "" && l == sel.label {
				return v, nil
			}
		}
	}
	if sel.label != "" {
		return nil, ErrParameterVersionNotFound.Errorf("Systems Manager could not find version %s of %s. Verify the version and try again.", sel.label, sel.name)
	}
	return nil, ErrParameterVersionNotFound.Errorf("Systems Manager could not find version %d of %s. Verify the version and try again.", sel.version, sel.name)
}

// GetParameterInput is GetParameter's input.
type GetParameterInput struct {
	Name           string
	WithDecryption bool
}

func (i *GetParameterInput) paramName() string { return i.Name }

// GetParameterOutput is GetParameter's answer.
type GetParameterOutput struct{ Parameter Parameter }

// GetParameter reads a parameter, a version (name:3) or a labelled version (name:prod).
func (s *Service) GetParameter(ctx context.Context, in *GetParameterInput) (*GetParameterOutput, error) {
	p, err := s.get(ctx, in.Name, in.WithDecryption)
	if err != nil {
		return nil, err
	}
	return &GetParameterOutput{Parameter: *p}, nil
}

// get reads one reference as GetParameter answers it.
func (s *Service) get(ctx context.Context, ref string, decrypt bool) (*Parameter, error) {
	sel, err := parseSelector(ref)
	if err != nil {
		return nil, err
	}
	if sel.name == "" {
		return nil, ErrValidation.Errorf("1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	p, err := s.load(ctx, callerAccount(ctx), sel.name)
	if err != nil {
		return nil, err
	}
	v, err := pick(p, sel)
	if err != nil {
		return nil, err
	}
	return s.render(ctx, p, v, sel.raw, decrypt)
}

// render is a version as GetParameter answers it.
func (s *Service) render(ctx context.Context, p *param, v *version, selector string, decrypt bool) (*Parameter, error) {
	val, err := s.value(ctx, p, v, decrypt)
	if err != nil {
		return nil, err
	}
	return &Parameter{Name: p.doc.Name, Type: v.Type, Value: val, Version: v.Version, Selector: selector,
		LastModifiedDate: Time{v.Modified}, ARN: s.arn(p.account, p.doc.Name), DataType: v.DataType}, nil
}

// GetParametersInput is GetParameters' input.
type GetParametersInput struct {
	Names          []string
	WithDecryption bool
}

// GetParametersOutput is GetParameters' answer.
type GetParametersOutput struct {
	Parameters        []Parameter
	InvalidParameters []string
}

// GetParameters reads up to 10 parameters; those missing are listed as invalid.
func (s *Service) GetParameters(ctx context.Context, in *GetParametersInput) (*GetParametersOutput, error) {
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	out := &GetParametersOutput{Parameters: []Parameter{}, InvalidParameters: []string{}}
	seen := map[string]bool{}
	for _, ref := range in.Names {
		if seen[ref] {
			continue
		}
		seen[ref] = true
		p, err := s.get(ctx, ref, in.WithDecryption)
		switch {
		case err == nil:
			out.Parameters = append(out.Parameters, *p)
		case isCode(err, ErrParameterNotFound) || isCode(err, ErrParameterVersionNotFound):
			out.InvalidParameters = append(out.InvalidParameters, ref)
		default:
			return nil, err
		}
	}
	return out, nil
}

// DeleteParameterInput is DeleteParameter's input.
type DeleteParameterInput struct{ Name string }

func (i *DeleteParameterInput) paramName() string { return i.Name }

// Empty is an operation's empty answer.
type Empty struct{}

// DeleteParameter deletes a parameter with all its versions.
func (s *Service) DeleteParameter(ctx context.Context, in *DeleteParameterInput) (*Empty, error) {
	return &Empty{}, s.delete(ctx, in.Name)
}

func (s *Service) delete(ctx context.Context, name string) error {
	err := s.store.DeleteSecretRecord(ctx, storeKind, callerAccount(ctx), name)
	if isStoreNotFound(err) {
		return notFound(name)
	}
	return err
}

// DeleteParametersInput is DeleteParameters' input.
type DeleteParametersInput struct{ Names []string }

// DeleteParametersOutput is DeleteParameters' answer.
type DeleteParametersOutput struct {
	DeletedParameters []string
	InvalidParameters []string
}

// DeleteParameters deletes up to 10 parameters.
func (s *Service) DeleteParameters(ctx context.Context, in *DeleteParametersInput) (*DeleteParametersOutput, error) {
	if len(in.Names) == 0 || len(in.Names) > 10 {
		return nil, ErrValidation.Errorf("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	out := &DeleteParametersOutput{DeletedParameters: []string{}, InvalidParameters: []string{}}
	for _, name := range in.Names {
		err := s.delete(ctx, name)
		switch {
		case err == nil:
			out.DeletedParameters = append(out.DeletedParameters, name)
		case isCode(err, ErrParameterNotFound):
			out.InvalidParameters = append(out.InvalidParameters, name)
		default:
			return nil, err
		}
	}
	return out, nil
}
