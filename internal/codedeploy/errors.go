package codedeploy

import "github.com/gureum/gureum/internal/awserr"

// CodeDeploy's error codes (botocore codedeploy 2014-10-06). AWS JSON 1.1 answers every client
// error with 400.
var (
	ErrApplicationAlreadyExists        = &awserr.Code{Name: "ApplicationAlreadyExistsException", Status: 400}
	ErrApplicationDoesNotExist         = &awserr.Code{Name: "ApplicationDoesNotExistException", Status: 400}
	ErrApplicationNameRequired         = &awserr.Code{Name: "ApplicationNameRequiredException", Status: 400}
	ErrInvalidApplicationName          = &awserr.Code{Name: "InvalidApplicationNameException", Status: 400}
	ErrInvalidComputePlatform          = &awserr.Code{Name: "InvalidComputePlatformException", Status: 400}
	ErrDeploymentGroupAlreadyExists    = &awserr.Code{Name: "DeploymentGroupAlreadyExistsException", Status: 400}
	ErrDeploymentGroupDoesNotExist     = &awserr.Code{Name: "DeploymentGroupDoesNotExistException", Status: 400}
	ErrDeploymentGroupNameRequired     = &awserr.Code{Name: "DeploymentGroupNameRequiredException", Status: 400}
	ErrInvalidDeploymentGroupName      = &awserr.Code{Name: "InvalidDeploymentGroupNameException", Status: 400}
	ErrRoleRequired                    = &awserr.Code{Name: "RoleRequiredException", Status: 400}
	ErrDeploymentConfigDoesNotExist    = &awserr.Code{Name: "DeploymentConfigDoesNotExistException", Status: 400}
	ErrDeploymentConfigNameRequired    = &awserr.Code{Name: "DeploymentConfigNameRequiredException", Status: 400}
	ErrDeploymentDoesNotExist          = &awserr.Code{Name: "DeploymentDoesNotExistException", Status: 400}
	ErrDeploymentIDRequired            = &awserr.Code{Name: "DeploymentIdRequiredException", Status: 400}
	ErrInvalidDeploymentID             = &awserr.Code{Name: "InvalidDeploymentIdException", Status: 400}
	ErrDeploymentAlreadyCompleted      = &awserr.Code{Name: "DeploymentAlreadyCompletedException", Status: 400}
	ErrDeploymentLimitExceeded         = &awserr.Code{Name: "DeploymentLimitExceededException", Status: 400}
	ErrRevisionRequired                = &awserr.Code{Name: "RevisionRequiredException", Status: 400}
	ErrInvalidRevision                 = &awserr.Code{Name: "InvalidRevisionException", Status: 400}
	ErrLifecycleEventAlreadyCompleted  = &awserr.Code{Name: "LifecycleEventAlreadyCompletedException", Status: 400}
	ErrInvalidLifecycleEventHookStatus = &awserr.Code{Name: "InvalidLifecycleEventHookExecutionStatusException", Status: 400}
	ErrInvalidLifecycleEventHookID     = &awserr.Code{Name: "InvalidLifecycleEventHookExecutionIdException", Status: 400}
	ErrInvalidDeploymentStatus         = &awserr.Code{Name: "InvalidDeploymentStatusException", Status: 400}
	ErrInvalidNextToken                = &awserr.Code{Name: "InvalidNextTokenException", Status: 400}
	ErrInvalidDeploymentConfigName     = &awserr.Code{Name: "InvalidDeploymentConfigNameException", Status: 400}
	ErrInvalidDeploymentStyle          = &awserr.Code{Name: "InvalidDeploymentStyleException", Status: 400}
	ErrInvalidAlarmConfig              = &awserr.Code{Name: "InvalidAlarmConfigException", Status: 400}
	errValidation                      = awserr.Validation
)
