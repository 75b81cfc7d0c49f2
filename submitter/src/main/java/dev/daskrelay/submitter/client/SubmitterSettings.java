package dev.daskrelay.submitter.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.daskrelay.schemas.task.DurationText;
import dev.daskrelay.submitter.query.SearchLimits;

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
public record SubmitterSettings(Integer searchInitialWindow, Long searchMaxRecords, String searchMaxAge,
                                String searchTimeout) {

    public SearchLimits searchLimits() {
        SearchLimits d = SearchLimits.DEFAULT;
        return new SearchLimits(
                searchInitialWindow == null ? d.initialWindow() : searchInitialWindow,
                searchMaxRecords == null ? d.maxRecords() : searchMaxRecords,
                searchMaxAge == null ? d.maxAge() : DurationText.parse(searchMaxAge),
                searchTimeout == null ? d.timeout() : DurationText.parse(searchTimeout));
    }
}
