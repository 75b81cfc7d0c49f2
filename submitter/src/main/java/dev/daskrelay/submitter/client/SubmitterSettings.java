package dev.daskrelay.submitter.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.schemas.config.CheckedSection;
import dev.daskrelay.schemas.config.ConfigCheck;
import dev.daskrelay.submitter.query.SearchLimits;
import java.time.Duration;

/**
 * The optional {@code submitter} section of {@code daskrelay.yaml}: bounds of the status search
 * (docs/STATUS-QUERIES.md). Every key is optional; durations like {@code 720h}, {@code 30s}.
 *
 * <pre>
 * submitter:
 *   searchInitialWindow: 64
 *   searchMaxRecords: 2000000
 *   searchMaxAge: 720h
 *   searchTimeout: 30s
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record SubmitterSettings(Integer searchInitialWindow, Long searchMaxRecords, Duration searchMaxAge,
                                Duration searchTimeout) implements CheckedSection {

    public SubmitterSettings {
        SearchLimits d = SearchLimits.DEFAULT;
        searchInitialWindow = searchInitialWindow == null ? d.initialWindow() : searchInitialWindow;
        searchMaxRecords = searchMaxRecords == null ? d.maxRecords() : searchMaxRecords;
        searchMaxAge = searchMaxAge == null ? d.maxAge() : searchMaxAge;
        searchTimeout = searchTimeout == null ? d.timeout() : searchTimeout;
    }

    @Override
    public void check(ConfigCheck check) {
        check.atLeast("searchInitialWindow", searchInitialWindow, 1);
        check.atLeast("searchMaxRecords", searchMaxRecords, 1);
    }

    public SearchLimits searchLimits() {
        return new SearchLimits(searchInitialWindow, searchMaxRecords, searchMaxAge, searchTimeout);
    }
}
