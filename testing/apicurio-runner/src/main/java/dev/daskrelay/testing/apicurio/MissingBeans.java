package dev.daskrelay.testing.apicurio;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;

import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;
import java.util.ArrayList;

/**
 * Stands in for the bean that Apicurio's config-index deployment processor would generate (that artifact
 * is not on Maven Central). Consequence: the registry's dynamic-config admin API lists no properties;
 * nothing the Confluent-compatible API does depends on it.
 */
@ApplicationScoped
public class MissingBeans {
    @Produces
    @ApplicationScoped
    public DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(new ArrayList<>());
    }
}
