package logs

import "github.com/gureum/gureum/internal/awserr"

// CloudWatch Logs' error codes (AWS JSON 1.1: the __type is the code's name).
var (
	ErrInvalidParameter       = &awserr.Code{Name: "InvalidParameterException", Status: 400}
	ErrResourceNotFound       = &awserr.Code{Name: "ResourceNotFoundException", Status: 400}
	ErrResourceAlreadyExists  = &awserr.Code{Name: "ResourceAlreadyExistsException", Status: 400}
	ErrDataAlreadyAccepted    = &awserr.Code{Name: "DataAlreadyAcceptedException", Status: 400}
	ErrInvalidSequenceToken   = &awserr.Code{Name: "InvalidSequenceTokenException", Status: 400}
	ErrLimitExceeded          = &awserr.Code{Name: "LimitExceededException", Status: 400}
	ErrOperationAborted       = &awserr.Code{Name: "OperationAbortedException", Status: 400}
	ErrServiceUnavailable     = &awserr.Code{Name: "ServiceUnavailableException", Status: 500, Receiver: true}
	ErrTooManyTags            = &awserr.Code{Name: "TooManyTagsException", Status: 400}
	ErrValidation             = &awserr.Code{Name: "ValidationException", Status: 400}
	ErrUnrecognizedClient     = &awserr.Code{Name: "UnrecognizedClientException", Status: 400}
	ErrMalformedQuery         = &awserr.Code{Name: "MalformedQueryException", Status: 400}
	ErrInvalidOperation       = &awserr.Code{Name: "InvalidOperationException", Status: 400}
	ErrAccessDenied           = &awserr.Code{Name: "AccessDeniedException", Status: 400}
	ErrConflict               = &awserr.Code{Name: "ConflictException", Status: 400}
	ErrServiceQuotaExceeded   = &awserr.Code{Name: "ServiceQuotaExceededException", Status: 400}
	ErrThrottling             = &awserr.Code{Name: "ThrottlingException", Status: 400}
	ErrSessionStreamingFailed = &awserr.Code{Name: "SessionStreamingException", Status: 400}
)

// The messages AWS gives for missing resources and duplicates.
const (
	msgGroupNotFound  = "The specified log group does not exist."
	msgStreamNotFound = "The specified log stream does not exist."
	msgGroupExists    = "The specified log group already exists"
	msgStreamExists   = "The specified log stream already exists"
	msgBadToken       = "The specified nextToken is invalid."
)
