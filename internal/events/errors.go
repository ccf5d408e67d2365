package events

import "github.com/gureum/gureum/internal/awserr"

// EventBridge's error codes (botocore events 2015-10-07). The model gives no statuses: AWS JSON
// 1.1 answers every client error with 400. ValidationException is not in the model but is what
// EventBridge answers for invalid parameters (awserr.Validation).
var (
	ErrAccessDenied           = &awserr.Code{Name: "AccessDeniedException", Status: 400}
	ErrConcurrentModification = &awserr.Code{Name: "ConcurrentModificationException", Status: 400}
	ErrIllegalStatus          = &awserr.Code{Name: "IllegalStatusException", Status: 400}
	ErrInternal               = &awserr.Code{Name: "InternalException", Status: 500, Receiver: true}
	ErrInvalidEventPattern    = &awserr.Code{Name: "InvalidEventPatternException", Status: 400}
	ErrInvalidState           = &awserr.Code{Name: "InvalidStateException", Status: 400}
	ErrLimitExceeded          = &awserr.Code{Name: "LimitExceededException", Status: 400}
	ErrManagedRule            = &awserr.Code{Name: "ManagedRuleException", Status: 400}
	ErrResourceAlreadyExists  = &awserr.Code{Name: "ResourceAlreadyExistsException", Status: 400}
	ErrResourceNotFound       = &awserr.Code{Name: "ResourceNotFoundException", Status: 400}
	ErrThrottling             = &awserr.Code{Name: "ThrottlingException", Status: 400}
	ErrPolicyLengthExceeded   = &awserr.Code{Name: "PolicyLengthExceededException", Status: 400}
	ErrOperationDisabled      = &awserr.Code{Name: "OperationDisabledException", Status: 400}
	errValidation             = awserr.Validation
)

// PutEvents' per-entry error codes (model PutEventsResultEntry).
const (
	codeNotAuthorizedForSource = "NotAuthorizedForSourceException"
	codeInvalidArgument        = "InvalidArgument"
	codeMalformedDetail        = "MalformedDetail"
	codeInternalFailure        = "InternalFailure"
)

func validation(format string, args ...any) error {
	return awserr.New(errValidation, format, args...)
}
