package cloudwatch

import "github.com/gureum/gureum/internal/protocol/scalar"

// Wire types of the 2010-08-01 API (members named as botocore's model names them).

type Dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type StatisticSet struct {
	SampleCount float64 `json:"SampleCount"`
	Sum         float64 `json:"Sum"`
	Minimum     float64 `json:"Minimum"`
	Maximum     float64 `json:"Maximum"`
}

type MetricDatum struct {
	MetricName        string        `json:"MetricName"`
	Dimensions        []Dimension   `json:"Dimensions,omitempty"`
	Timestamp         *scalar.Epoch `json:"Timestamp,omitempty"`
	Value             *float64      `json:"Value,omitempty"`
	StatisticValues   *StatisticSet `json:"StatisticValues,omitempty"`
	Values            []float64     `json:"Values,omitempty"`
	Counts            []float64     `json:"Counts,omitempty"`
	Unit              string        `json:"Unit,omitempty"`
	StorageResolution int64         `json:"StorageResolution,omitempty"`
}

type PutMetricDataInput struct {
	Namespace  string        `json:"Namespace"`
	MetricData []MetricDatum `json:"MetricData"`
}

type Empty struct{}

type GetMetricStatisticsInput struct {
	Namespace          string        `json:"Namespace"`
	MetricName         string        `json:"MetricName"`
	Dimensions         []Dimension   `json:"Dimensions,omitempty"`
	StartTime          *scalar.Epoch `json:"StartTime"`
	EndTime            *scalar.Epoch `json:"EndTime"`
	Period             int64         `json:"Period"`
	Statistics         []string      `json:"Statistics,omitempty"`
	ExtendedStatistics []string      `json:"ExtendedStatistics,omitempty"`
	Unit               string        `json:"Unit,omitempty"`
}

type Datapoint struct {
	Timestamp   *scalar.Epoch `json:"Timestamp,omitempty"`
	SampleCount *float64      `json:"SampleCount,omitempty"`
	Average     *float64      `json:"Average,omitempty"`
	Sum         *float64      `json:"Sum,omitempty"`
	Minimum     *float64      `json:"Minimum,omitempty"`
	Maximum     *float64      `json:"Maximum,omitempty"`
	Unit        string        `json:"Unit,omitempty"`
}

type GetMetricStatisticsOutput struct {
	Label      string      `json:"Label"`
	Datapoints []Datapoint `json:"Datapoints"`
}

type Metric struct {
	Namespace  string      `json:"Namespace,omitempty"`
	MetricName string      `json:"MetricName,omitempty"`
	Dimensions []Dimension `json:"Dimensions,omitempty"`
}

type MetricStat struct {
	Metric Metric `json:"Metric"`
	Period int64  `json:"Period"`
	Stat   string `json:"Stat"`
	Unit   string `json:"Unit,omitempty"`
}

type MetricDataQuery struct {
	Id         string      `json:"Id"`
	MetricStat *MetricStat `json:"MetricStat,omitempty"`
	Expression string      `json:"Expression,omitempty"`
	Label      string      `json:"Label,omitempty"`
	ReturnData *bool       `json:"ReturnData,omitempty"`
	Period     int64       `json:"Period,omitempty"`
	AccountId  string      `json:"AccountId,omitempty"`
}

type GetMetricDataInput struct {
	MetricDataQueries []MetricDataQuery `json:"MetricDataQueries"`
	StartTime         *scalar.Epoch     `json:"StartTime"`
	EndTime           *scalar.Epoch     `json:"EndTime"`
	NextToken         string            `json:"NextToken,omitempty"`
	ScanBy            string            `json:"ScanBy,omitempty"`
	MaxDatapoints     int64             `json:"MaxDatapoints,omitempty"`
}

type MetricDataResult struct {
	Id         string         `json:"Id"`
	Label      string         `json:"Label"`
	Timestamps []scalar.Epoch `json:"Timestamps"`
	Values     []float64      `json:"Values"`
	StatusCode string         `json:"StatusCode"`
}

type GetMetricDataOutput struct {
	MetricDataResults []MetricDataResult `json:"MetricDataResults"`
	Messages          []any              `json:"Messages"`
}

type ListMetricsInput struct {
	Namespace      string      `json:"Namespace,omitempty"`
	MetricName     string      `json:"MetricName,omitempty"`
	Dimensions     []Dimension `json:"Dimensions,omitempty"` // DimensionFilter: Value optional
	NextToken      string      `json:"NextToken,omitempty"`
	RecentlyActive string      `json:"RecentlyActive,omitempty"`
}

type ListMetricsOutput struct {
	Metrics   []Metric `json:"Metrics"`
	NextToken string   `json:"NextToken,omitempty"`
}

type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// MetricAlarm is an alarm as DescribeAlarms answers it, and as PutMetricAlarm's input carries it
// (the output-only members are ignored on input).
type MetricAlarm struct {
	AlarmName                          string            `json:"AlarmName"`
	AlarmArn                           string            `json:"AlarmArn,omitempty"`
	AlarmDescription                   string            `json:"AlarmDescription,omitempty"`
	AlarmConfigurationUpdatedTimestamp *scalar.Epoch     `json:"AlarmConfigurationUpdatedTimestamp,omitempty"`
	ActionsEnabled                     *bool             `json:"ActionsEnabled,omitempty"`
	OKActions                          []string          `json:"OKActions"`
	AlarmActions                       []string          `json:"AlarmActions"`
	InsufficientDataActions            []string          `json:"InsufficientDataActions"`
	StateValue                         string            `json:"StateValue,omitempty"`
	StateReason                        string            `json:"StateReason,omitempty"`
	StateReasonData                    string            `json:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              *scalar.Epoch     `json:"StateUpdatedTimestamp,omitempty"`
	StateTransitionedTimestamp         *scalar.Epoch     `json:"StateTransitionedTimestamp,omitempty"`
	MetricName                         string            `json:"MetricName,omitempty"`
	Namespace                          string            `json:"Namespace,omitempty"`
	Statistic                          string            `json:"Statistic,omitempty"`
	ExtendedStatistic                  string            `json:"ExtendedStatistic,omitempty"`
	Dimensions                         []Dimension       `json:"Dimensions"`
	Period                             int64             `json:"Period,omitempty"`
	Unit                               string            `json:"Unit,omitempty"`
	EvaluationPeriods                  int64             `json:"EvaluationPeriods,omitempty"`
	DatapointsToAlarm                  int64             `json:"DatapointsToAlarm,omitempty"`
	Threshold                          *float64          `json:"Threshold,omitempty"`
	ComparisonOperator                 string            `json:"ComparisonOperator,omitempty"`
	TreatMissingData                   string            `json:"TreatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile   string            `json:"EvaluateLowSampleCountPercentile,omitempty"`
	Metrics                            []MetricDataQuery `json:"Metrics,omitempty"`
	ThresholdMetricId                  string            `json:"ThresholdMetricId,omitempty"`
}

type PutMetricAlarmInput struct {
	MetricAlarm
	Tags []Tag `json:"Tags,omitempty"`
}

type DescribeAlarmsInput struct {
	AlarmNames      []string `json:"AlarmNames,omitempty"`
	AlarmNamePrefix string   `json:"AlarmNamePrefix,omitempty"`
	AlarmTypes      []string `json:"AlarmTypes,omitempty"`
	StateValue      string   `json:"StateValue,omitempty"`
	ActionPrefix    string   `json:"ActionPrefix,omitempty"`
	MaxRecords      int64    `json:"MaxRecords,omitempty"`
	NextToken       string   `json:"NextToken,omitempty"`
}

type DescribeAlarmsOutput struct {
	MetricAlarms    []MetricAlarm `json:"MetricAlarms"`
	CompositeAlarms []any         `json:"CompositeAlarms"`
	NextToken       string        `json:"NextToken,omitempty"`
}

type DescribeAlarmsForMetricInput struct {
	MetricName        string      `json:"MetricName"`
	Namespace         string      `json:"Namespace"`
	Statistic         string      `json:"Statistic,omitempty"`
	ExtendedStatistic string      `json:"ExtendedStatistic,omitempty"`
	Dimensions        []Dimension `json:"Dimensions,omitempty"`
	Period            int64       `json:"Period,omitempty"`
	Unit              string      `json:"Unit,omitempty"`
}

type DescribeAlarmsForMetricOutput struct {
	MetricAlarms []MetricAlarm `json:"MetricAlarms"`
}

type AlarmNamesInput struct {
	AlarmNames []string `json:"AlarmNames"`
}

type SetAlarmStateInput struct {
	AlarmName       string `json:"AlarmName"`
	StateValue      string `json:"StateValue"`
	StateReason     string `json:"StateReason"`
	StateReasonData string `json:"StateReasonData,omitempty"`
}

type DescribeAlarmHistoryInput struct {
	AlarmName       string        `json:"AlarmName,omitempty"`
	AlarmTypes      []string      `json:"AlarmTypes,omitempty"`
	HistoryItemType string        `json:"HistoryItemType,omitempty"`
	StartDate       *scalar.Epoch `json:"StartDate,omitempty"`
	EndDate         *scalar.Epoch `json:"EndDate,omitempty"`
	MaxRecords      int64         `json:"MaxRecords,omitempty"`
	NextToken       string        `json:"NextToken,omitempty"`
	ScanBy          string        `json:"ScanBy,omitempty"`
}

type AlarmHistoryItem struct {
	AlarmName       string        `json:"AlarmName"`
	AlarmType       string        `json:"AlarmType"`
	Timestamp       *scalar.Epoch `json:"Timestamp"`
	HistoryItemType string        `json:"HistoryItemType"`
	HistorySummary  string        `json:"HistorySummary"`
	HistoryData     string        `json:"HistoryData"`
}

type DescribeAlarmHistoryOutput struct {
	AlarmHistoryItems []AlarmHistoryItem `json:"AlarmHistoryItems"`
	NextToken         string             `json:"NextToken,omitempty"`
}

type TagResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
	Tags        []Tag  `json:"Tags"`
}

type UntagResourceInput struct {
	ResourceARN string   `json:"ResourceARN"`
	TagKeys     []string `json:"TagKeys"`
}

type ListTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
}

type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags"`
}
