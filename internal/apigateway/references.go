package apigateway

import (
	"context"
	"strings"

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

// Tagging acts on the tagged resource too (arn:aws:apigateway:region::/restapis/id, …), beside
// the /tags/… path AWS authorizes.
func (in *TagsInput) references(action string) []service.Check {
	return []service.Check{{Action: action, Resource: in.ResourceARN}}
}

func (in *UntagInput) references(action string) []service.Check {
	return []service.Check{{Action: action, Resource: in.ResourceARN}}
}

// An authorizer's or integration's credentials are a role API Gateway assumes: passing it is
// iam:PassRole ("arn:aws:iam::*:user/*", the caller's own credentials, passes nothing).
func passRole(arn string) []service.Check {
	if arn == "" || strings.HasPrefix(arn, "arn:aws:iam::*:") {
		return nil
	}
	return []service.Check{{Action: "iam:PassRole", Resource: arn}}
}

func (in *AuthorizerInput) references(string) []service.Check {
	return passRole(in.AuthorizerCredentials)
}

func (in *PutIntegrationInput) references(string) []service.Check { return passRole(in.Credentials) }

// patchedRoles are the roles patch operations set at path (an authorizer's or integration's
// credentials), each passed as passRole says.
func patchedRoles(ops []PatchOperation, path string) []service.Check {
	var c []service.Check
	for _, op := range ops {
		if op.Path == path && op.Op != "remove" {
			c = append(c, passRole(op.Value)...)
		}
	}
	return c
}

// MethodUpdateInput serves UpdateIntegration among others: an integration's /credentials.
func (in *MethodUpdateInput) references(string) []service.Check {
	return patchedRoles(in.PatchOperations, "/credentials")
}

func (in *AuthorizerUpdateInput) references(string) []service.Check {
	return patchedRoles(in.PatchOperations, "/authorizerCredentials")
}
