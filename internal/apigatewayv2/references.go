package apigatewayv2

import (
	"context"

	"github.com/gureum/gureum/internal/service"
)

// referencer is an input that names other resources by ARN: each is authorized beside the
// call's own resource (the path it addresses), so a caller cannot reach another account's
// resource through a reference.
type referencer interface {
	references(action string) []service.Check
}

// checks is the authorization of an operation: action on the path's ARN, and the input's
// references.
func (s *Service) checks(action string) func(ctx context.Context, in any) []service.Check {
	return func(ctx context.Context, in any) []service.Check {
		c := []service.Check{{Action: action, Resource: s.resourceARN(ctx, in)}}
		if r, ok := in.(referencer); ok {
			c = append(c, r.references(action)...)
		}
		return c
	}
}

// passRole is the check of a role API Gateway is given to assume (credentials).
func passRole(arn string) []service.Check {
	if arn == "" {
		return nil
	}
	return []service.Check{{Action: "iam:PassRole", Resource: arn}}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Tagging acts on the tagged resource too (arn:aws:apigateway:region::/apis/id, …).
func (in *TagsInput) references(action string) []service.Check {
	return []service.Check{{Action: action, Resource: in.ResourceArn}}
}

func (in *AuthorizerInput) references(string) []service.Check {
	return passRole(deref(in.AuthorizerCredentialsArn))
}

func (in *IntegrationInput) references(string) []service.Check {
	return passRole(deref(in.CredentialsArn))
}

func (in *CreateAPIInput) references(string) []service.Check { return passRole(in.CredentialsArn) }

// A stage's access logs go to a log group: delivering there is logs:CreateLogDelivery on it, as
// AWS asks of whoever turns HTTP APIs' access logging on.
func (in *StageInput) references(string) []service.Check {
	if in.AccessLogSettings == nil || in.AccessLogSettings.DestinationArn == "" {
		return nil
	}
	return []service.Check{{Action: "logs:CreateLogDelivery", Resource: in.AccessLogSettings.DestinationArn}}
}

func (in *UpdateAPIInput) references(string) []service.Check {
	return passRole(deref(in.CredentialsArn))
}
