package iam

import "github.com/gureum/gureum/internal/awserr"

// IAM's error codes, from the API reference.
var (
	ErrNoSuchEntity              = &awserr.Code{Name: "NoSuchEntity", Status: 404}
	ErrEntityAlreadyExists       = &awserr.Code{Name: "EntityAlreadyExists", Status: 409}
	ErrDeleteConflict            = &awserr.Code{Name: "DeleteConflict", Status: 409}
	ErrLimitExceeded             = &awserr.Code{Name: "LimitExceeded", Status: 409}
	ErrMalformedPolicyDocument   = &awserr.Code{Name: "MalformedPolicyDocument", Status: 400}
	ErrInvalidInput              = &awserr.Code{Name: "InvalidInput", Status: 400}
	ErrUnmodifiableEntity        = &awserr.Code{Name: "UnmodifiableEntity", Status: 400}
	ErrPolicyNotAttachable       = &awserr.Code{Name: "PolicyNotAttachable", Status: 400}
	ErrPolicyEvaluation          = &awserr.Code{Name: "PolicyEvaluation", Status: 500, Receiver: true}
	ErrServiceFailure            = &awserr.Code{Name: "ServiceFailure", Status: 500, Receiver: true}
	ErrInvalidAuthorizationToken = &awserr.Code{Name: "InvalidAuthorizationMessageException", Status: 400}
)
