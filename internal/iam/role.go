package iam

import (
	"context"
	"strings"

	"github.com/gureum/gureum/internal/request"
)

// AuthorizeRole decides whether a role (by its ARN, as a function's execution role acts) may
// perform action on resource, with its identity policies and the resource's policy (policy ""
// for none): what a service checks when it acts for a role outside a request, as EFS does when a
// function mounts a file system.
func (e *Enforcer) AuthorizeRole(ctx context.Context, roleARN, action, resource, resourcePolicy string) error {
	parts := strings.SplitN(roleARN, ":", 6)
	account := ""
	if len(parts) == 6 {
		account = parts[4]
	}
	p := &request.Principal{Account: account, ARN: roleARN, UserID: roleARN}
	return e.Authorize(ctx, p, []Demand{{Action: action, Resource: resource, ResourcePolicy: resourcePolicy}}, nil)
}
