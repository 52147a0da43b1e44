// The one reading of a range's weight that Accept and Accept-Language share.
import Testing
@testable import Web

@Suite struct QualityValueTests {
    @Test(arguments: [
        ([], 1000),
        (["q=0.5"], 500),
        ([" Q=0.5 "], 500),
        (["charset=utf-8", "q=0"], 0),
        (["quux=0.2"], 1000),
        (["q=0.2", "q=0.9"], 200),
        (["q=high"], 0),
        (["q=0.1234"], 0),
        (["q=1.5"], 0),
        (["q=1.000"], 1000),
    ] as [([String], Int)])
    func theFirstWeightParameterCountsInThousandths(parameters: [String], weight: Int) {
        #expect(QualityValue.weight(parameters) == weight)
    }
}
