package lambda

import "github.com/gureum/gureum/internal/awserr"

// Lambda's error codes (REST-JSON: the x-amzn-ErrorType name and the status).
var (
	ErrResourceNotFound       = &awserr.Code{Name: "ResourceNotFoundException", Status: 404}
	ErrResourceConflict       = &awserr.Code{Name: "ResourceConflictException", Status: 409}
	ErrInvalidParameterValue  = &awserr.Code{Name: "InvalidParameterValueException", Status: 400}
	ErrInvalidRequestContent  = &awserr.Code{Name: "InvalidRequestContentException", Status: 400}
	ErrRequestTooLarge        = &awserr.Code{Name: "RequestTooLargeException", Status: 413}
	ErrPreconditionFailed     = &awserr.Code{Name: "PreconditionFailedException", Status: 412}
	ErrTooManyRequests        = &awserr.Code{Name: "TooManyRequestsException", Status: 429}
	ErrCodeStorageExceeded    = &awserr.Code{Name: "CodeStorageExceededException", Status: 400}
	ErrResourceNotReady       = &awserr.Code{Name: "ResourceNotReadyException", Status: 502, Receiver: true}
	ErrService                = &awserr.Code{Name: "ServiceException", Status: 500, Receiver: true}
	ErrUnsupportedMediaType   = &awserr.Code{Name: "UnsupportedMediaTypeException", Status: 415}
	ErrInvalidZipFile         = &awserr.Code{Name: "InvalidZipFileException", Status: 502, Receiver: true}
	ErrInvalidRuntime         = &awserr.Code{Name: "InvalidRuntimeException", Status: 502, Receiver: true}
	ErrLimitExceeded          = &awserr.Code{Name: "LimitExceededException", Status: 429}
	ErrServiceUnavailableHere = &awserr.Code{Name: "ServiceException", Status: 503, Receiver: true}
)

// Throttling reasons Lambda gives in a TooManyRequestsException's body.
const (
	ReasonReservedExceeded = "ReservedFunctionConcurrentInvocationLimitExceeded"
	ReasonAccountExceeded  = "ConcurrentInvocationLimitExceeded"
	ReasonFunctionDisabled = "ReservedFunctionConcurrentInvocationLimitExceeded"
)

func notFound(arn string) error {
	return ErrResourceNotFound.Errorf("Function not found: %s", arn)
}

func invalid(format string, args ...any) error {
	return ErrInvalidParameterValue.Errorf(format, args...)
}
