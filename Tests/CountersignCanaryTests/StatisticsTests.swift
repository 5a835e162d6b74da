import Testing

@testable import CountersignCanary

/// Kayenta's statistic vectors (reference §1.10 E), from
/// kayenta-judge/src/test/scala/com/netflix/kayenta/judge/StatisticSuite.scala at spinnaker/kayenta a69573be.
@Suite struct KayentaStatisticVectorTests {
    @Test func summaryStatistics() {
        #expect(DescriptiveStatistics([4]) == DescriptiveStatistics(min: 4, max: 4, mean: 4, std: 0, count: 1))
        #expect(DescriptiveStatistics([]) == DescriptiveStatistics(min: 0, max: 0, mean: 0, std: 0, count: 0))
        let list = DescriptiveStatistics([1, 1, 1, 10, 10, 10])
        #expect(list.min == 1 && list.max == 10 && list.mean == 5.5 && list.count == 6)
        #expect(abs(list.std - 4.9295) <= 1e-4)
    }

    @Test func percentiles() {
        let data = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
        #expect(abs(Percentile.r7(data, percent: 5) - 0.175) <= 1e-4)
        #expect(Percentile.r7(data, percent: 50) == 1.75)
        #expect(Percentile.r7(data, percent: 100) == 3.5)
        #expect(Percentile.r7((0..<10).map(Double.init), percent: 50) == 4.5)
        let nist = [
            95.1772, 95.1567, 95.1937, 95.1959, 95.1442, 95.0610, 95.1591, 95.1195, 95.1772, 95.0925, 95.1990, 95.1682,
        ]
        #expect(Percentile.r7(nist, percent: 90) == 95.19568)
        #expect(Percentile.r7([1.0], percent: 100) == 1.0)
        #expect(Percentile.r7([], percent: 50).isNaN)
    }

    @Test func percentileLinearInterpolation() {
        let data = [
            0.07142857142857144, 0.02083333333333332, 0.16666666666666666, 0.03448275862068966, 0.038461538461538464,
            0.03225806451612904, 0.027777777777777773, 0.0, 0.23076923076923078, 0.10344827586206898,
            0.04545454545454542, 0.0, 0.028571428571428564, 0.0, 0.0, 0.04, 0.0, 0.0, 0.05128205128205127,
            0.10714285714285716, 0.0263157894736842, 0.04166666666666667, 0.09523809523809522, 0.02941176470588235,
            0.024999999999999984, 0.0, 0.0, 0.023809523809523794, 0.0, 0.02564102564102563, 0.0, 0.0,
            0.028571428571428564, 0.07142857142857144, 0.047619047619047596, 0.021276595744680833,
            0.02564102564102563, 0.03125, 0.03125, 0.03125, 0.11363636363636356, 0.03571428571428572, 0.0,
            0.02777777777777777, 0.0, 0.0, 0.055555555555555546, 0.028571428571428564, 0.03225806451612904,
        ]
        #expect(Percentile.r7(data, percent: 25) == 0.0)
        #expect(abs(Percentile.r7(data, percent: 75) - 0.0416) <= 1e-4)
    }

    @Test func meanRatio() {
        #expect(EffectSize.meanRatio(control: [1, 1, 1, 1, 1], experiment: [1, 1, 1, 1, 1]) == 1)
        #expect(EffectSize.meanRatio(control: [1, 1, 1, 1, 1], experiment: [10, 10, 10, 10, 10]) == 10)
        #expect(EffectSize.meanRatio(control: [100, 100, 100, 100, 100], experiment: [10, 10, 10, 10, 10]) == 0.1)
        #expect(EffectSize.meanRatio(control: [0, 0, 0, 0, 0], experiment: [10, 10, 10, 10, 10]).isNaN)
    }

    @Test func cohensD() {
        let d = EffectSize.cohensD(control: [1, 1, 1, 2, 2, 2], experiment: [5, 5, 5, 10, 10, 10])
        #expect(abs(d - 3.03821) <= 1e-5)
    }

    @Test func cles() {
        #expect(EffectSize.cles(control: [1, 2, 3, 4, 5], experiment: [1, 2, 3, 4, 5]) == 0.5)
        let lowExperiment = [
            2.27776335, 2.61149434, 3.26894105, 2.91672701, 1.40656921, 2.18292082, 3.47901292, 3.00034118,
            3.02402043, 4.69912745,
        ]
        let highControl = [
            25.31531073, 25.19450817, 24.6288846, 24.37991861, 26.40999244, 25.28524759, 24.99788745, 26.13841676,
            22.93604649, 24.56817832,
        ]
        #expect(EffectSize.cles(control: highControl, experiment: lowExperiment) == 0.0)
        #expect(abs(EffectSize.cles(control: Self.highControl, experiment: Self.highExperiment) - 0.771) <= 0.001)
        #expect(EffectSize.cles(control: Self.lowControl, experiment: Self.lowExperiment) == 0.12)
    }

    static let highExperiment = [
        29.17644856, 25.16947646, 25.88467948, 29.4900454, 27.05622757, 26.13307864, 27.2711558, 26.69139944,
        29.05412377, 26.39818697, 26.68312641, 24.99600187, 27.99524816, 22.57278291, 23.72798196, 25.82821505,
        28.26624521, 28.02370228, 24.1792213, 26.02914828, 25.90970275, 31.18337461, 27.44254942, 29.93347686,
        26.70848069, 28.12191913, 27.39257837, 30.17636627, 29.60240485, 30.10635388,
    ]
    static let highControl = [
        24.69397578, 25.37120574, 25.86186148, 26.93804252, 22.72232309, 24.15894084, 24.80842752, 26.07830794,
        27.35323988, 23.25110886, 24.65909111, 23.88299016, 21.34817847, 26.33198082, 23.39498829, 26.6734461,
        25.33769589, 23.92348759, 25.29740715, 24.21381887, 28.1697053, 22.2271772, 27.16612837, 25.16639243,
        26.85955896, 27.13421926, 25.43350074, 26.32130314, 23.8854011, 27.86180318,
    ]
    static let lowExperiment = [
        22.58442682, 18.83161858, 22.34282944, 18.52177725, 19.41399147, 21.77120485, 24.33796385, 22.16390531,
        23.781802, 21.38514296, 22.2205035, 22.06152361, 21.30313392, 21.59652134, 22.38394223, 24.68882792,
        20.58916439, 21.03137302, 22.26213957, 23.76485986, 20.56271226, 24.56567102, 19.86055958, 22.18967677,
        20.31475409, 19.2634656, 24.60283585, 20.41729998, 20.62069798, 22.53448767,
    ]
    static let lowControl = [
        23.15322873, 22.09179077, 26.56410603, 23.0971542, 24.26372276, 25.6461273, 29.42730472, 22.08630097,
        29.15257054, 25.8096766, 24.62191338, 23.67398895, 23.63946085, 26.44684325, 25.76230914, 25.41279862,
        22.64005862, 24.58898152, 25.01968457, 25.03695883, 23.79864705, 26.60180151, 25.99405034, 22.46726084,
        28.31843786, 24.30152484, 22.83713467, 21.92380184, 23.44735223, 29.15676219,
    ]
}

/// Kayenta's detector and transform vectors (reference §1.10 D), from
/// kayenta-judge/src/test/scala/com/netflix/kayenta/judge/DetectorSuite.scala and TransformSuite.scala at
/// spinnaker/kayenta a69573be.
@Suite struct KayentaDetectorVectorTests {
    @Test func kSigma() {
        let data = [1.0, 1, 1, 1, 1, 20, 1, 1, 1, 1, 1]
        #expect(KSigmaOutlierDetector(k: 3).detect(data) == data.map { $0 == 20 })
        #expect(KSigmaOutlierDetector(k: 3).removeOutliers(data) == Array(repeating: 1.0, count: 10))
        let twoSided = [1.0, 1, 1, 5, -1, -1, -1, -5]
        #expect(KSigmaOutlierDetector(k: 1).detect(twoSided) == twoSided.map { abs($0) == 5 })
    }

    @Test func iqr() {
        let data = [21.0, 23, 24, 25, 50, 29, 23, 21]
        #expect(IQROutlierDetector(factor: 1.5).detect(data) == data.map { $0 == 50 })
        #expect(IQROutlierDetector(factor: 1.5).removeOutliers(data) == [21, 23, 24, 25, 29, 23, 21])
        let twoSided = [1.0, 1, 1, 5, -1, -1, -1, -5]
        #expect(IQROutlierDetector(factor: 1.5).detect(twoSided) == twoSided.map { abs($0) == 5 })
        #expect(IQROutlierDetector(factor: 1.5).detect([]) == [])
    }

    @Test func iqrNIST() {
        let data: [Double] = [
            30, 171, 184, 201, 212, 250, 265, 270, 272, 289, 305, 306, 322, 322, 336, 346, 351, 370, 390, 404, 409, 411,
            436, 437, 439, 441, 444, 448, 451, 453, 470, 480, 482, 487, 494, 495, 499, 503, 514, 521, 522, 527, 548,
            550,
            559, 560, 570, 572, 574, 578, 585, 592, 592, 607, 616, 618, 621, 629, 637, 638, 640, 656, 668, 707, 709,
            719,
            737, 739, 752, 758, 766, 792, 792, 794, 802, 818, 830, 832, 843, 858, 860, 869, 918, 925, 953, 991, 1000,
            1005, 1068, 1441,
        ]
        #expect(data.count == 90)
        #expect(IQROutlierDetector(factor: 1.5).detect(data) == Array(repeating: false, count: 89) + [true])
    }

    @Test func nanTransforms() {
        #expect(NaNStrategy.remove.apply([0, 1, .nan, 1, 0]) == [0, 1, 1, 0])
        #expect(NaNStrategy.remove.apply([.nan, .nan, .nan]) == [])
        #expect(NaNStrategy.replace.apply([.nan, 10.1, 20.2, 30.3, .nan, 40.4]) == [0, 10.1, 20.2, 30.3, 0, 40.4])
    }

    @Test func reducedSensitivityKeepsTheBulk() {
        // Widened to p1/p99, the fences keep a tight series' near-median points that plain Tukey fences drop.
        let data = Array(repeating: 10.0, count: 98) + [10.5, 11]
        #expect(IQROutlierDetector(factor: 1.5).detect(data).filter { $0 }.count == 2)
        #expect(IQROutlierDetector(factor: 1.5, reducedSensitivity: true).detect(data).filter { $0 }.count == 1)
    }
}

@Suite struct OtherStatisticsTests {
    @Test func kolmogorovSmirnovSeesSpreadNotJustLocation() throws {
        var rng = SeededGaussian(seed: 7)
        let baseline = (0..<200).map { _ in rng.nextGaussian(mean: 100, standardDeviation: 5) }
        let wide = (0..<200).map { _ in rng.nextGaussian(mean: 100, standardDeviation: 30) }
        let same = (0..<200).map { _ in rng.nextGaussian(mean: 100, standardDeviation: 5) }
        let spread = try KolmogorovSmirnov.test(wide, baseline)
        #expect(spread.pValueGreater < 1e-4 && spread.pValueLess < 1e-4)
        #expect(try KolmogorovSmirnov.test(same, baseline).pValue > 0.01)
        #expect(try MannWhitney.pValue(wide, baseline).pValue > 0.01)
        #expect(KolmogorovSmirnov.kolmogorovSurvival(0) == 1)
        // Q(1.36) ≈ 0.05, the textbook 5% critical value.
        #expect(abs(KolmogorovSmirnov.kolmogorovSurvival(1.3581) - 0.05) < 1e-3)
        #expect(throws: CanaryError(.invalidInput, "")) { try KolmogorovSmirnov.test([], [1]) }
    }

    @Test func twoProportions() throws {
        let r = try TwoProportionTest.test(events1: 60, trials1: 1000, events2: 30, trials2: 1000)
        // z = 0.03 / sqrt(0.045·0.955·0.002) = 3.2357…
        #expect(abs(r.z - 3.2357) < 1e-3)
        #expect(r.pValueGreater < 0.001 && r.pValueLess > 0.999)
        #expect(try TwoProportionTest.test(events1: 0, trials1: 10, events2: 0, trials2: 10).pValue == 1)
        #expect(throws: CanaryError(.invalidInput, "")) {
            try TwoProportionTest.test(events1: 11, trials1: 10, events2: 0, trials2: 10)
        }
        #expect(throws: CanaryError(.invalidInput, "")) {
            try TwoProportionTest.test(events1: 1, trials1: 0, events2: 0, trials2: 10)
        }
    }

    @Test func seededNoiseIsReproducible() {
        var a = SeededGaussian(seed: 42)
        var b = SeededGaussian(seed: 42)
        #expect((0..<10).map { _ in a.nextGaussian() } == (0..<10).map { _ in b.nextGaussian() })
        #expect(SeededGaussian.stableHash("latency") == SeededGaussian.stableHash("latency"))
    }

    @Test func verdictsCombineWorstWins() {
        #expect(CanaryVerdict.worst([.pass, .inconclusive, .marginal]) == .inconclusive)
        #expect(CanaryVerdict.worst([.error, .inconclusive]) == .error)
        #expect(CanaryVerdict.worst([.error, .fail, .pass]) == .fail)
        #expect(CanaryVerdict.worst([]) == .pass)
        #expect(CanaryVerdict.pass < .marginal && CanaryVerdict.marginal < .inconclusive)
        #expect(CanaryVerdict.inconclusive < .error && CanaryVerdict.error < .fail)
    }
}
