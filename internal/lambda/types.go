package lambda

// Wire types of Lambda's 2015-03-31 API (REST-JSON). Fields without a rest tag are members of the
// JSON body.

// Environment is a function's environment variables.
type Environment struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// EnvironmentResponse is Environment as configurations report it.
type EnvironmentResponse struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// TracingConfig is the X-Ray mode.
type TracingConfig struct {
	Mode string `json:"Mode,omitempty"`
}

// EphemeralStorage is the size of /tmp in MB.
type EphemeralStorage struct {
	Size int32 `json:"Size"`
}

// DeadLetterConfig names the dead-letter target of asynchronous invokes.
type DeadLetterConfig struct {
	TargetArn string `json:"TargetArn,omitempty"`
}

// LoggingConfig is where and how the function logs.
type LoggingConfig struct {
	LogFormat           string `json:"LogFormat,omitempty"`
	LogGroup            string `json:"LogGroup,omitempty"`
	ApplicationLogLevel string `json:"ApplicationLogLevel,omitempty"`
	SystemLogLevel      string `json:"SystemLogLevel,omitempty"`
}

// Layer is a layer version a configuration uses.
type Layer struct {
	Arn      string `json:"Arn"`
	CodeSize int64  `json:"CodeSize"`
}

// FunctionConfiguration is a version's configuration as every operation returns it; the store
// keeps it encoded.
type FunctionConfiguration struct {
	FunctionName      string               `json:"FunctionName"`
	FunctionArn       string               `json:"FunctionArn"`
	Runtime           string               `json:"Runtime,omitempty"`
	Role              string               `json:"Role"`
	Handler           string               `json:"Handler,omitempty"`
	CodeSize          int64                `json:"CodeSize"`
	Description       string               `json:"Description"`
	Timeout           int32                `json:"Timeout"`
	MemorySize        int32                `json:"MemorySize"`
	LastModified      string               `json:"LastModified"`
	CodeSha256        string               `json:"CodeSha256"`
	Version           string               `json:"Version"`
	Environment       *EnvironmentResponse `json:"Environment,omitempty"`
	TracingConfig     *TracingConfig       `json:"TracingConfig,omitempty"`
	DeadLetterConfig  *DeadLetterConfig    `json:"DeadLetterConfig,omitempty"`
	RevisionId        string               `json:"RevisionId"`
	Layers            []Layer              `json:"Layers,omitempty"`
	State             string               `json:"State"`
	StateReason       string               `json:"StateReason,omitempty"`
	StateReasonCode   string               `json:"StateReasonCode,omitempty"`
	LastUpdateStatus  string               `json:"LastUpdateStatus"`
	PackageType       string               `json:"PackageType"`
	Architectures     []string             `json:"Architectures"`
	EphemeralStorage  *EphemeralStorage    `json:"EphemeralStorage,omitempty"`
	LoggingConfig     *LoggingConfig       `json:"LoggingConfig,omitempty"`
	FileSystemConfigs []FileSystemConfig   `json:"FileSystemConfigs,omitempty"`
	VpcConfig         *VpcConfigResponse   `json:"VpcConfig,omitempty"`
}

// FunctionCode is the code of CreateFunction.
type FunctionCode struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageUri        string `json:"ImageUri,omitempty"`
}

// CreateFunctionInput is CreateFunction's request.
type CreateFunctionInput struct {
	FunctionName      string
	Runtime           string
	Role              string
	Handler           string
	Code              *FunctionCode
	Description       string
	Timeout           *int32
	MemorySize        *int32
	Publish           bool
	Environment       *Environment
	TracingConfig     *TracingConfig
	DeadLetterConfig  *DeadLetterConfig
	LoggingConfig     *LoggingConfig
	EphemeralStorage  *EphemeralStorage
	Tags              map[string]string
	Layers            []string
	PackageType       string
	Architectures     []string
	KMSKeyArn         string
	VpcConfig         *VpcConfig
	FileSystemConfigs []FileSystemConfig
}

// FunctionCodeLocation says where GetFunction's caller downloads the code.
type FunctionCodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions *int32 `json:"ReservedConcurrentExecutions,omitempty"`
}

// GetFunctionInput names a function and optionally a version or alias.
type GetFunctionInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
}

// GetFunctionOutput is GetFunction's answer.
type GetFunctionOutput struct {
	Configuration *FunctionConfiguration `json:"Configuration"`
	Code          *FunctionCodeLocation  `json:"Code"`
	Tags          map[string]string      `json:"Tags,omitempty"`
	Concurrency   *Concurrency           `json:"Concurrency,omitempty"`
}

// ListFunctionsInput pages through functions.
type ListFunctionsInput struct {
	Marker          string `rest:"query=Marker" json:"-"`
	MaxItems        int    `rest:"query=MaxItems" json:"-"`
	FunctionVersion string `rest:"query=FunctionVersion" json:"-"`
	MasterRegion    string `rest:"query=MasterRegion" json:"-"`
}

// ListFunctionsOutput is one page.
type ListFunctionsOutput struct {
	Functions  []*FunctionConfiguration `json:"Functions"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

// UpdateFunctionCodeInput replaces $LATEST's code.
type UpdateFunctionCodeInput struct {
	FunctionName    string `rest:"uri=FunctionName" json:"-"`
	ZipFile         []byte
	S3Bucket        string
	S3Key           string
	S3ObjectVersion string
	ImageUri        string
	Publish         bool
	DryRun          bool
	RevisionId      string
	Architectures   []string
}

// UpdateFunctionConfigurationInput changes $LATEST's settings; absent members keep their values.
type UpdateFunctionConfigurationInput struct {
	FunctionName      string `rest:"uri=FunctionName" json:"-"`
	Role              *string
	Handler           *string
	Description       *string
	Timeout           *int32
	MemorySize        *int32
	Environment       *Environment
	Runtime           *string
	TracingConfig     *TracingConfig
	DeadLetterConfig  *DeadLetterConfig
	LoggingConfig     *LoggingConfig
	EphemeralStorage  *EphemeralStorage
	Layers            []string
	RevisionId        string
	KMSKeyArn         *string
	VpcConfig         *VpcConfig
	FileSystemConfigs []FileSystemConfig
}

// DeleteFunctionInput names a function or one of its versions.
type DeleteFunctionInput struct {
	FunctionName string `rest:"uri=FunctionName" json:"-"`
	Qualifier    string `rest:"query=Qualifier" json:"-"`
}

// DeleteFunctionOutput is DeleteFunction's empty answer.
type DeleteFunctionOutput struct {
	Status int `rest:"status" json:"-"`
}
