package lambda

import (
	"context"
	"reflect"
	"strings"

	"github.com/gureum/gureum/internal/service"
)

// withResources gives every operation that names a function (FunctionName, with a Qualifier
// when it has one), a tagged resource (Resource) or a layer (LayerName) that ARN as its IAM
// resource, as Lambda authorizes: a user granted one function may call it and no other, and a
// caller of another account is refused another account's function unless its policy allows it.
// Operations that name none of these (ListFunctions, CreateEventSourceMapping's "*" with
// lambda:FunctionArn) keep "*".
func (s *Service) withResources(ops []service.Operation) []service.Operation {
	for i := range ops {
		switch ops[i].Name {
		case "CreateFunction", "UpdateFunctionConfiguration":
			ops[i].Checks = s.passRoleChecks(ops[i].Action)
		}
		if ops[i].Resource == nil && ops[i].Checks == nil {
			ops[i].Resource = s.resource
		}
	}
	return ops
}

// passRoleChecks are the checks of a call that gives a function an execution role: the call on
// the function, and iam:PassRole on the role, as Lambda asks of a caller that is not the role's
// account's root.
func (s *Service) passRoleChecks(action string) func(ctx context.Context, in any) []service.Check {
	return func(ctx context.Context, in any) []service.Check {
		checks := []service.Check{{Action: action, Resource: s.resource(ctx, in)}}
		role := ""
		switch in := in.(type) {
		case *CreateFunctionInput:
			role = in.Role
		case *UpdateFunctionConfigurationInput:
			if in.Role != nil {
				role = *in.Role
			}
		}
		if strings.HasPrefix(role, "arn:") {
			checks = append(checks, service.Check{Action: "iam:PassRole", Resource: role})
		}
		return checks
	}
}

func (s *Service) resource(ctx context.Context, in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "*"
	}
	str := func(name string) string {
		f := v.FieldByName(name)
		if f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		if f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
			return f.Elem().String()
		}
		return ""
	}
	if name := str("FunctionName"); name != "" {
		return s.functionResource(account(ctx), name, str("Qualifier"))
	}
	for _, field := range []string{"Resource", "Arn"} {
		if arn := str(field); strings.HasPrefix(arn, "arn:") {
			return arn
		}
	}
	if layer := str("LayerName"); layer != "" {
		if strings.HasPrefix(layer, "arn:") {
			return layer
		}
		return "arn:aws:lambda:" + s.cfg.Region + ":" + account(ctx) + ":layer:" + layer
	}
	return "*"
}

// functionResource is the ARN a function name stands for: a full or partial ARN as given (the
// account it names), a plain name in the caller's account; with the qualifier of the call.
func (s *Service) functionResource(acct, name, qualifier string) string {
	switch parts := strings.Split(name, ":"); {
	case strings.HasPrefix(name, "arn:") && len(parts) >= 7:
		if len(parts) == 7 && qualifier != "" {
			return name + ":" + qualifier
		}
		return name
	case len(parts) == 3 && parts[1] == "function": // 123456789012:function:name
		acct, name = parts[0], parts[2]
	case len(parts) == 2: // name:qualifier
		name, qualifier = parts[0], parts[1]
	}
	arn := s.functionARN(acct, name)
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}
