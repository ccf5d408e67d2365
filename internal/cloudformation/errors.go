package cloudformation

import (
	"github.com/gureum/gureum/internal/awserr"
)

// CloudFormation's error codes (botocore's cloudformation 2010-05-15 model: error.code and
// httpStatusCode; the code is not always the shape's name).
var (
	ErrValidation              = &awserr.Code{Name: "ValidationError", Status: 400}
	ErrAlreadyExists           = &awserr.Code{Name: "AlreadyExistsException", Status: 400}
	ErrInsufficientCaps        = &awserr.Code{Name: "InsufficientCapabilitiesException", Status: 400}
	ErrLimitExceeded           = &awserr.Code{Name: "LimitExceededException", Status: 400}
	ErrChangeSetNotFound       = &awserr.Code{Name: "ChangeSetNotFound", Status: 404}
	ErrInvalidChangeSetStatus  = &awserr.Code{Name: "InvalidChangeSetStatus", Status: 400}
	ErrTokenAlreadyExists      = &awserr.Code{Name: "TokenAlreadyExistsException", Status: 400}
	ErrOperationInProgress     = &awserr.Code{Name: "OperationInProgressException", Status: 409}
	ErrStackNotFound           = &awserr.Code{Name: "StackNotFoundException", Status: 404}
	ErrInsufficientCapsMessage = "Requires capabilities : [%s]"
)

func validation(format string, args ...any) error { return ErrValidation.Errorf(format, args...) }

// noStack is AWS's answer for a stack that does not exist (the CLI matches it literally).
func noStack(name string) error { return validation("Stack with id %s does not exist", name) }
